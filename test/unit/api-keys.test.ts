import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiKeys, auditLog } from '../../src/db/schema/index.ts';
import { sha256 } from '../../src/auth/secrets.ts';
import { createStaff, type StaffSession } from '../helpers/staff.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('API keys', () => {
  let zhida: TestServer;
  let admin: StaffSession;
  beforeAll(async () => {
    zhida = await startTestServer();
    admin = await createStaff(zhida, 'admin');
  });
  afterAll(async () => zhida?.stop());

  const search = (token: string) => zhida.api('/api/v1/search', { method: 'POST', json: { query: '信用卡' }, token });
  const createKey = async (who: StaffSession, json: Record<string, unknown>) => {
    const res = await who.api('/api/v1/api-keys', { method: 'POST', json });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()) as { id: string; name: string; prefix: string; scopes: string[]; secret: string };
  };

  it('shows the secret once, stores only its hash, and records last use', async () => {
    const res = await admin.api('/api/v1/api-keys', { method: 'POST', json: { name: '网银机器人 web bot', scopes: ['search', 'bot'] } });
    expect(res.status).toBe(201);
    const key = await res.json();
    expect(key).toMatchObject({ id: expect.any(String), name: '网银机器人 web bot', scopes: ['search', 'bot'], userId: admin.userId });
    expect(key.secret).toMatch(/^zk_[\w-]{40,}$/);
    expect(key.secret.startsWith(key.prefix)).toBe(true);
    expect(key.prefix.length).toBeLessThan(16);

    const [row] = await zhida.ctx.db.select().from(apiKeys).where(eq(apiKeys.id, key.id));
    expect(row!.secretHash).toBe(sha256(key.secret));
    expect(JSON.stringify(row)).not.toContain(key.secret.slice(3));

    const listed = await (await admin.api('/api/v1/api-keys')).json();
    const item = listed.items.find((k: { id: string }) => k.id === key.id);
    expect(item).toMatchObject({ name: key.name, prefix: key.prefix, userId: admin.userId, userName: expect.any(String), lastUsedAt: null, revokedAt: null, rateLimitPerMin: null });
    expect(JSON.stringify(listed)).not.toContain(key.secret.slice(3));
    expect(JSON.stringify(listed)).not.toContain(row!.secretHash);

    expect((await search(key.secret)).status).toBe(200);
    const after = (await (await admin.api('/api/v1/api-keys')).json()).items.find((k: { id: string }) => k.id === key.id);
    expect(Date.now() - new Date(after.lastUsedAt).getTime()).toBeLessThan(60_000);
    const created = await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.entityId, key.id));
    expect(created.map((r) => r.action)).toEqual(['api_key.created']);
    expect(JSON.stringify(created)).not.toContain(key.secret.slice(3));
  });

  it('a key acts as its owner narrowed by scopes', async () => {
    const searchOnly = await createKey(admin, { name: 'search only', scopes: ['search'] });
    expect((await search(searchOnly.secret)).status).toBe(200);
    const denied = await zhida.api('/api/v1/users', { token: searchOnly.secret });
    expect(denied.status).toBe(403);
    expect((await denied.json()).error.message).toMatch(/scope "admin"/);
    const adminKey = await createKey(admin, { name: 'admin', scopes: ['admin'] });
    expect((await zhida.api('/api/v1/users', { token: adminKey.secret })).status).toBe(200);
    // An admin-scoped key manages keys without CSRF (it is a bearer credential).
    expect((await zhida.api('/api/v1/api-keys', { method: 'POST', json: { name: 'by key', scopes: ['bot'] }, token: adminKey.secret })).status).toBe(201);

    // An agent's key, whatever its scope, never reaches admin routes.
    const agent = await createStaff(zhida, 'agent');
    const agentKey = await createKey(agent, { name: 'agent', scopes: ['search', 'assist'] });
    expect((await search(agentKey.secret)).status).toBe(200);
    expect((await zhida.api('/api/v1/users', { token: agentKey.secret })).status).toBe(403);
    // ...and a key cannot manage keys without the admin scope.
    expect((await zhida.api('/api/v1/api-keys', { token: agentKey.secret })).status).toBe(403);
  });

  it('non-admins create keys only for themselves and only with scopes their role can use', async () => {
    const agent = await createStaff(zhida, 'agent');
    const editor = await createStaff(zhida, 'editor');
    const beyond = await agent.api('/api/v1/api-keys', { method: 'POST', json: { name: 'x', scopes: ['search', 'import'] } });
    expect(beyond.status).toBe(403);
    const body = await beyond.json();
    expect(body.error.code).toBe('scope_not_allowed');
    expect(body.error.details.denied).toEqual(['import']);
    expect((await agent.api('/api/v1/api-keys', { method: 'POST', json: { name: 'x', scopes: ['admin'] } })).status).toBe(403);
    expect((await editor.api('/api/v1/api-keys', { method: 'POST', json: { name: 'x', scopes: ['import'] } })).status).toBe(201);
    const forOther = await agent.api('/api/v1/api-keys', { method: 'POST', json: { name: 'x', scopes: ['search'], userId: editor.userId } });
    expect(forOther.status).toBe(403);
    // Not even admins mint keys in someone else's name (they could write as the editor, then approve
    // as themselves); the master key issues service-account keys, still within the owner's role.
    const byAdmin = await admin.api('/api/v1/api-keys', { method: 'POST', json: { name: 'x', scopes: ['search'], userId: agent.userId } });
    expect(byAdmin.status).toBe(403);
    const byMaster = await zhida.api('/api/v1/api-keys', { method: 'POST', json: { name: 'for agent', scopes: ['search'], userId: agent.userId } });
    expect(byMaster.status).toBe(201);
    expect((await zhida.api('/api/v1/api-keys', { method: 'POST', json: { name: 'x', scopes: ['admin'], userId: agent.userId } })).status).toBe(403);
    // Nothing was written by the refused requests.
    const mine = (await (await agent.api('/api/v1/api-keys')).json()).items;
    expect(mine.map((k: { name: string; userId: string }) => [k.name, k.userId])).toEqual([['for agent', agent.userId]]);
  });

  it('validates input and needs a user to act as', async () => {
    for (const json of [{ name: 'x', scopes: [] }, { name: 'x', scopes: ['root'] }, { name: '', scopes: ['search'] }, { name: 'x', scopes: ['search'], rateLimitPerMin: 0 }, { name: 'x', scopes: ['search'], extra: 1 }]) {
      const r = await admin.api('/api/v1/api-keys', { method: 'POST', json });
      expect(r.status, JSON.stringify(json)).toBe(400);
    }
    const master = await zhida.api('/api/v1/api-keys', { method: 'POST', json: { name: 'x', scopes: ['search'] } });
    expect(master.status).toBe(400);
    expect((await zhida.api('/api/v1/api-keys', { method: 'POST', json: { name: 'x', scopes: ['search'], userId: '7f1d6b0e-0000-4000-8000-000000000000' } })).status).toBe(404);
    expect((await zhida.api('/api/v1/api-keys', { method: 'POST', json: { name: 'x', scopes: ['search'], userId: admin.userId } })).status).toBe(201);
  });

  it('revocation is immediate and audited; others’ keys are not found; revoking twice is harmless', async () => {
    const agent = await createStaff(zhida, 'agent');
    const key = await createKey(agent, { name: 'to revoke', scopes: ['search'] });
    expect((await search(key.secret)).status).toBe(200);
    const other = await createStaff(zhida, 'editor');
    expect((await other.api(`/api/v1/api-keys/${key.id}`, { method: 'DELETE' })).status).toBe(404);
    expect((await agent.api(`/api/v1/api-keys/${key.id}`, { method: 'DELETE', csrf: false })).status).toBe(403);
    expect((await agent.api(`/api/v1/api-keys/${key.id}`, { method: 'DELETE' })).status).toBe(204);
    const revoked = await search(key.secret);
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error.code).toBe('unauthorized');
    expect((await agent.api(`/api/v1/api-keys/${key.id}`, { method: 'DELETE' })).status).toBe(204);
    expect((await admin.api('/api/v1/api-keys/not-a-uuid', { method: 'DELETE' })).status).toBe(400);
    const listed = (await (await agent.api('/api/v1/api-keys')).json()).items.find((k: { id: string }) => k.id === key.id);
    expect(listed.revokedAt).not.toBeNull();
    const actions = (await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.entityId, key.id))).map((r) => r.action);
    expect(actions).toEqual(['api_key.created', 'api_key.revoked']);
  });

  it('rate limits a key per minute with 429 + Retry-After', async () => {
    // Fixed one-minute windows: do not start right before a window ends.
    const second = new Date().getSeconds();
    if (second >= 50) await new Promise((r) => setTimeout(r, (61 - second) * 1000));
    const key = await createKey(admin, { name: 'limited', scopes: ['search'], rateLimitPerMin: 3 });
    for (let i = 0; i < 3; i++) {
      const ok = await search(key.secret);
      expect(ok.status).toBe(200);
      expect(ok.headers.get('x-ratelimit-limit')).toBe('3');
    }
    const limited = await search(key.secret);
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.code).toBe('rate_limited');
    const retry = Number(limited.headers.get('retry-after'));
    expect(retry).toBeGreaterThan(0);
    expect(retry).toBeLessThanOrEqual(60);
    // Another key of the same owner has its own budget.
    const other = await createKey(admin, { name: 'unlimited', scopes: ['search'] });
    expect((await search(other.secret)).status).toBe(200);
  }, 120_000);
});
