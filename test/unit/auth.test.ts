import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, sessions } from '../../src/db/schema/index.ts';
import { loginWithPassword } from '../../src/auth/login.ts';
import { sha256 } from '../../src/auth/secrets.ts';
import { createUser } from '../../src/auth/users.ts';
import { createApi } from '../../src/api/app.ts';
import { httpStatus } from '../../src/api/errors.ts';
import type { DomainError } from '../../src/errors.ts';
import { createStaff, sessionCookieFrom, signIn } from '../helpers/staff.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createWireDatabase } from '../helpers/wire-db.ts';

describe('staff sign-in over HTTP', () => {
  let zhida: TestServer;
  beforeAll(async () => {
    zhida = await startTestServer({ ZHIDA_SESSION_HOURS: '2', ZHIDA_TRUST_PROXY: 'loopback' });
  });
  afterAll(async () => zhida?.stop());

  const login = (json: unknown) => zhida.api('/api/v1/auth/login', { method: 'POST', json, token: null });
  const actions = async () => (await zhida.ctx.db.select().from(auditLog)).map((r) => r.action);

  it('signs in: user + csrf token, an HttpOnly SameSite=Lax cookie, only its hash stored', async () => {
    const staff = await createStaff(zhida, 'editor', '编辑 测试');
    const res = await login({ email: staff.email.toUpperCase(), password: staff.password });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.user).toEqual({ id: staff.userId, name: '编辑 测试', email: staff.email, role: 'editor', locale: 'zh-CN' });
    expect(body.csrfToken).toMatch(/^[\w-]{20,}$/);
    const setCookie = res.headers.getSetCookie().find((l) => l.startsWith('zhida_session='))!;
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Lax/i);
    expect(setCookie).toMatch(/Path=\//);
    expect(setCookie).not.toMatch(/Secure/i);
    const expires = new Date(/Expires=([^;]+)/i.exec(setCookie)![1]!).getTime();
    expect(Math.abs(expires - (Date.now() + 2 * 3600_000))).toBeLessThan(60_000);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');

    const token = sessionCookieFrom(res)!.split('=')[1]!;
    const rows = await zhida.ctx.db.select().from(sessions).where(eq(sessions.userId, staff.userId));
    expect(rows.map((r) => r.id)).toContain(sha256(token));
    expect(JSON.stringify(rows)).not.toContain(token);

    const me = await zhida.api('/api/v1/auth/me', { token: null, headers: { cookie: sessionCookieFrom(res)! } });
    expect(me.status).toBe(200);
    expect(await me.json()).toEqual({ user: body.user, csrfToken: body.csrfToken });
    expect(await actions()).toContain('auth.login');
  });

  it('answers the same 401 for an unknown email and a wrong password, and audits both', async () => {
    const staff = await createStaff(zhida, 'agent');
    const wrong = await login({ email: staff.email, password: 'not-the-password' });
    const unknown = await login({ email: 'nobody@bank.test', password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const a = await wrong.json();
    expect(a.error.code).toBe('invalid_credentials');
    expect(await unknown.json()).toEqual(a);
    expect(sessionCookieFrom(wrong)).toBeNull();
    const failed = await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'));
    expect(failed.map((r) => (r.details as { reason: string }).reason)).toEqual(expect.arrayContaining(['wrong_password', 'unknown_email']));
    expect(JSON.stringify(failed)).not.toContain('not-the-password');
    // A password typed into the email field is not kept in the audit log.
    await login({ email: 'MySecretPassw0rd', password: 'x' });
    const all = await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'));
    expect(all.some((r) => (r.details as { email: string }).email === '(not an email address)')).toBe(true);
    expect(JSON.stringify(all)).not.toMatch(/MySecretPassw0rd/i);
  });

  it('behind a configured reverse proxy (ZHIDA_TRUST_PROXY), counts and audits the forwarded client address', async () => {
    const res = await zhida.api('/api/v1/auth/login', { method: 'POST', json: { email: 'proxy@bank.test', password: 'x' }, token: null, headers: { 'x-forwarded-for': '203.0.113.7, 198.51.100.9' } });
    expect(res.status).toBe(401);
    const failed = await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'));
    expect(failed.find((r) => (r.details as { email: string }).email === 'proxy@bank.test')!.details).toMatchObject({ ip: '198.51.100.9' });
  });

  it('rejects malformed login bodies with 400 in the error shape', async () => {
    const res = await login({ email: 'x@bank.test' });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('validation_failed');
    const extra = await login({ email: 'x@bank.test', password: 'p', admin: true });
    expect(extra.status).toBe(400);
  });

  it('throttles repeated failures for one email with 429 + Retry-After, even with the right password', async () => {
    const staff = await createStaff(zhida, 'agent');
    for (let i = 0; i < 5; i++) expect((await login({ email: staff.email, password: `wrong-${i}` })).status).toBe(401);
    const blocked = await login({ email: staff.email, password: staff.password });
    expect(blocked.status).toBe(429);
    expect((await blocked.json()).error.code).toBe('rate_limited');
    const retry = Number(blocked.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(15 * 60);
    // Other accounts are not locked by it.
    const other = await createStaff(zhida, 'agent');
    expect((await login({ email: other.email, password: other.password })).status).toBe(200);
  });

  it('counts a burst of parallel guesses atomically: no more than the limit get a password check', async () => {
    const staff = await createStaff(zhida, 'agent');
    const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => login({ email: staff.email, password: `burst-${i}` }).then((r) => r.status)));
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it('marks the cookie Secure when ZHIDA_SECURE_COOKIES is on', async () => {
    const staff = await createStaff(zhida, 'agent');
    const api = createApi({ ...zhida.ctx, config: { ...zhida.ctx.config, secureCookies: true } });
    const res = await api.request('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: staff.email, password: staff.password }) });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie().find((l) => l.startsWith('zhida_session='))).toMatch(/; Secure/);
  });

  it('a good login clears the failure count of the account', async () => {
    const staff = await createStaff(zhida, 'agent');
    for (let i = 0; i < 4; i++) await login({ email: staff.email, password: 'wrong-password' });
    expect((await login({ email: staff.email, password: staff.password })).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await login({ email: staff.email, password: 'wrong-password' })).status).toBe(401);
    expect((await login({ email: staff.email, password: staff.password })).status).toBe(200);
  });

  it('cookie writes need the CSRF token; bearer keys do not', async () => {
    const admin = await createStaff(zhida, 'admin');
    const json = { name: 'csrf victim', email: `csrf.${Date.now()}@bank.test`, password: 'long-enough-pw', role: 'agent' };
    const without = await admin.api('/api/v1/users', { method: 'POST', json, csrf: false });
    expect(without.status).toBe(403);
    expect((await without.json()).error.code).toBe('csrf');
    const forged = await admin.api('/api/v1/users', { method: 'POST', json, headers: { 'x-csrf-token': 'forged' }, csrf: false });
    expect(forged.status).toBe(403);
    const listed = (await (await admin.api('/api/v1/users')).json()).items.map((u: { email: string }) => u.email);
    expect(listed).not.toContain(json.email);
    expect((await admin.api('/api/v1/users', { method: 'POST', json })).status).toBe(201);
    // The master key is a bearer credential: no CSRF header needed.
    expect((await zhida.api('/api/v1/users', { method: 'POST', json: { ...json, email: `b.${json.email}` } })).status).toBe(201);
  });

  it('an expired session is a 401 on /auth/me (the UI then shows the login form)', async () => {
    const staff = await createStaff(zhida, 'editor');
    expect((await staff.api('/api/v1/auth/me')).status).toBe(200);
    await zhida.ctx.db.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(sessions.userId, staff.userId));
    const res = await staff.api('/api/v1/auth/me');
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
    // Writes with the dead cookie are 401 too, not a CSRF 403.
    expect((await staff.api('/api/v1/auth/me', { method: 'PATCH', json: { locale: 'en' } })).status).toBe(401);
  });

  it('sessions expire on their own after ZHIDA_SESSION_HOURS', async () => {
    const short = await startTestServer({ ZHIDA_SESSION_HOURS: String(10 / 3600) });
    try {
      const staff = await createStaff(short, 'agent');
      expect((await staff.api('/api/v1/auth/me')).status).toBe(200);
      const [row] = await short.ctx.db.select().from(sessions).where(eq(sessions.userId, staff.userId));
      const lifetime = row!.expiresAt.getTime() - row!.createdAt.getTime();
      expect(lifetime).toBe(10_000);
      await new Promise((r) => setTimeout(r, Math.max(0, row!.expiresAt.getTime() - Date.now()) + 500));
      expect((await staff.api('/api/v1/auth/me')).status).toBe(401);
    } finally {
      await short.stop();
    }
  }, 300_000);

  it('logout deletes the session, clears the cookie and is audited; logging out twice is harmless', async () => {
    const staff = await createStaff(zhida, 'reviewer');
    const noCsrf = await staff.api('/api/v1/auth/logout', { method: 'POST', csrf: false });
    expect(noCsrf.status).toBe(403);
    const res = await staff.api('/api/v1/auth/logout', { method: 'POST' });
    expect(res.status).toBe(204);
    expect(res.headers.getSetCookie().some((l) => /^zhida_session=;/.test(l) && /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(l))).toBe(true);
    expect(await zhida.ctx.db.select().from(sessions).where(eq(sessions.userId, staff.userId))).toHaveLength(0);
    expect((await staff.api('/api/v1/auth/me')).status).toBe(401);
    expect((await staff.api('/api/v1/auth/logout', { method: 'POST' })).status).toBe(204);
    expect((await zhida.api('/api/v1/auth/logout', { method: 'POST', token: null })).status).toBe(204);
    expect(await actions()).toContain('auth.logout');
  });

  it('signing in again over an existing session ends the old session (no piling up, no fixation)', async () => {
    const first = await createStaff(zhida, 'agent');
    const second = await createStaff(zhida, 'agent');
    const res = await zhida.api('/api/v1/auth/login', { method: 'POST', json: { email: second.email, password: second.password }, token: null, headers: { cookie: first.cookie } });
    expect(res.status).toBe(200);
    expect(sessionCookieFrom(res)).not.toBe(first.cookie);
    expect((await first.api('/api/v1/auth/me')).status).toBe(401);
    expect((await zhida.api('/api/v1/auth/me', { token: null, headers: { cookie: sessionCookieFrom(res)! } }).then((r) => r.json())).user.id).toBe(second.userId);
  });

  it('PATCH /auth/me changes locale; a password change needs the current one and ends the other sessions', async () => {
    const staff = await createStaff(zhida, 'editor');
    const otherBrowser = await signIn(zhida, staff.email, staff.password);
    const locale = await staff.api('/api/v1/auth/me', { method: 'PATCH', json: { locale: 'en' } });
    expect(locale.status).toBe(200);
    expect((await locale.json()).user.locale).toBe('en');
    expect((await staff.api('/api/v1/auth/me', { method: 'PATCH', json: { locale: 'fr' } })).status).toBe(400);
    const noCurrent = await staff.api('/api/v1/auth/me', { method: 'PATCH', json: { password: 'a-new-password-1' } });
    expect(noCurrent.status).toBe(400);
    expect((await noCurrent.json()).error.code).toBe('wrong_password');
    const short = await staff.api('/api/v1/auth/me', { method: 'PATCH', json: { password: 'short', currentPassword: staff.password } });
    expect(short.status).toBe(400);
    const ok = await staff.api('/api/v1/auth/me', { method: 'PATCH', json: { password: 'a-new-password-1', currentPassword: staff.password } });
    expect(ok.status).toBe(200);
    expect((await staff.api('/api/v1/auth/me')).status).toBe(200);
    expect((await otherBrowser.api('/api/v1/auth/me')).status).toBe(401);
    expect((await login({ email: staff.email, password: staff.password })).status).toBe(401);
    expect((await login({ email: staff.email, password: 'a-new-password-1' })).status).toBe(200);
  });
});

describe('login throttling per IP (domain, real database)', () => {
  it('blocks an address that sprays many accounts, with a Retry-After', async () => {
    const zhida = await startTestServer();
    try {
      const { db } = zhida.ctx;
      const limits = { perEmail: 5, perIp: 3, windowSeconds: 900 };
      await createUser(db, { kind: 'system' }, { name: 'IP test', email: 'ip@bank.test', password: 'right-password', role: 'agent' });
      const attempt = (email: string, password: string, ip: string) =>
        loginWithPassword(db, { email, password, ip, sessionHours: 1 }, limits).then(
          () => 'ok',
          (e: DomainError) => `${httpStatus[e.code]}:${e.code}:${e.retryAfter ?? ''}`,
        );
      for (let i = 0; i < 3; i++) expect(await attempt(`spray${i}@bank.test`, 'guess', '10.0.0.9')).toBe('401:invalid_credentials:');
      expect(await attempt('ip@bank.test', 'right-password', '10.0.0.9')).toMatch(/^429:rate_limited:\d+$/);
      expect(await attempt('ip@bank.test', 'right-password', '10.0.0.10')).toBe('ok');
      // Successful logins do not use up the address's budget.
      for (let i = 0; i < 5; i++) expect(await attempt('ip@bank.test', 'right-password', '10.0.0.11')).toBe('ok');
      expect(await db.select().from(auditLog).where(eq(auditLog.action, 'auth.login_failed'))).toHaveLength(3);
    } finally {
      await zhida.stop();
    }
  }, 300_000);
});

describe('auth over the postgres.js driver (PGlite on the wire protocol)', () => {
  it('signs in, issues and uses a key, revokes it, and keeps the audit chain valid', async () => {
    const database = await createWireDatabase();
    const zhida = await startTestServer({}, database);
    try {
      const admin = await createStaff(zhida, 'admin');
      const key = await (await admin.api('/api/v1/api-keys', { method: 'POST', json: { name: 'wire', scopes: ['search', 'admin'] } })).json();
      expect((await zhida.api('/api/v1/users', { token: key.secret })).status).toBe(200);
      expect((await admin.api(`/api/v1/api-keys/${key.id}`, { method: 'DELETE' })).status).toBe(204);
      expect((await zhida.api('/api/v1/users', { token: key.secret })).status).toBe(401);
      expect((await admin.api(`/api/v1/users/${admin.userId}`, { method: 'PATCH', json: { role: 'editor' } })).status).toBe(409);
      expect((await admin.api('/api/v1/audit?action=api_key.revoked').then((r) => r.json())).items).toHaveLength(1);
      expect(await (await admin.api('/api/v1/audit/verify')).json()).toMatchObject({ ok: true });
      expect((await admin.api('/api/v1/auth/logout', { method: 'POST' })).status).toBe(204);
    } finally {
      await zhida.stop();
    }
  }, 300_000);
});
