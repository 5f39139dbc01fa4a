import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, sessions, users } from '../../src/db/schema/index.ts';
import { createStaff, signIn } from '../helpers/staff.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('users API (admin)', () => {
  let zhida: TestServer;
  beforeAll(async () => {
    zhida = await startTestServer();
  });
  afterAll(async () => zhida?.stop());

  const auditFor = async (entityId: string) =>
    (await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.entityId, entityId))).map((r) => ({ action: r.action, details: r.details }));

  it('creates, lists and rejects duplicates and bad input without writing anything', async () => {
    const admin = await createStaff(zhida, 'admin');
    const json = { name: '坐席 新人', email: 'New.Agent@Bank.test', password: 'a-long-password', role: 'agent' };
    const res = await admin.api('/api/v1/users', { method: 'POST', json });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created).toMatchObject({ id: expect.any(String), name: '坐席 新人', email: 'new.agent@bank.test', role: 'agent' });
    expect(JSON.stringify(created)).not.toMatch(/password/i);

    const dup = await admin.api('/api/v1/users', { method: 'POST', json: { ...json, email: 'new.agent@bank.test' } });
    expect(dup.status).toBe(409);
    expect((await dup.json()).error.code).toBe('email_taken');

    for (const bad of [
      { ...json, email: 'not-an-email' },
      { ...json, email: 'short@bank.test', password: 'short' },
      { ...json, email: 'role@bank.test', role: 'superuser' },
      { ...json, email: 'extra@bank.test', isAdmin: true },
      { email: 'noname@bank.test', password: 'a-long-password', role: 'agent' },
    ]) {
      const r = await admin.api('/api/v1/users', { method: 'POST', json: bad });
      expect(r.status, JSON.stringify(bad)).toBe(400);
      expect((await r.json()).error.code).toBe('validation_failed');
    }

    const list = await admin.api('/api/v1/users');
    expect(list.status).toBe(200);
    const { items } = await list.json();
    const emails = items.map((u: { email: string }) => u.email);
    expect(emails).toContain('new.agent@bank.test');
    expect(emails.filter((e: string) => /^(short|role|extra|noname)@/.test(e))).toEqual([]);
    expect(items.find((u: { email: string }) => u.email === 'new.agent@bank.test')).toMatchObject({ role: 'agent', disabled: false, createdAt: expect.any(String) });
    expect(await auditFor(created.id)).toEqual([{ action: 'user.created', details: { email: 'new.agent@bank.test', name: '坐席 新人', role: 'agent' } }]);
  });

  it('is for admins only', async () => {
    for (const role of ['agent', 'editor', 'reviewer'] as const) {
      const staff = await createStaff(zhida, role);
      expect((await staff.api('/api/v1/users')).status).toBe(403);
      const r = await staff.api('/api/v1/users', { method: 'POST', json: { name: 'x', email: `x.${role}@bank.test`, password: 'a-long-password', role: 'admin' } });
      expect(r.status).toBe(403);
      expect((await r.json()).error.code).toBe('forbidden');
      expect((await staff.api(`/api/v1/users/${staff.userId}`, { method: 'PATCH', json: { role: 'admin' } })).status).toBe(403);
    }
    expect((await zhida.api('/api/v1/users', { token: null })).status).toBe(401);
  });

  it('changes role (audited), renames, and answers 404/400 for unknown or malformed ids', async () => {
    const admin = await createStaff(zhida, 'admin');
    const editor = await createStaff(zhida, 'editor');
    const res = await admin.api(`/api/v1/users/${editor.userId}`, { method: 'PATCH', json: { role: 'reviewer', name: '审核 新' } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ id: editor.userId, role: 'reviewer', name: '审核 新', disabled: false });
    expect(await auditFor(editor.userId)).toEqual(
      expect.arrayContaining([
        { action: 'user.role_changed', details: { from: 'editor', to: 'reviewer' } },
        { action: 'user.renamed', details: expect.objectContaining({ to: '审核 新' }) },
      ]),
    );
    // The new role applies to the existing session at once.
    expect((await editor.api('/api/v1/auth/me').then((r) => r.json())).user.role).toBe('reviewer');
    expect((await admin.api('/api/v1/users/7f1d6b0e-0000-4000-8000-000000000000', { method: 'PATCH', json: { role: 'agent' } })).status).toBe(404);
    expect((await admin.api('/api/v1/users/not-a-uuid', { method: 'PATCH', json: { role: 'agent' } })).status).toBe(400);
    expect((await admin.api(`/api/v1/users/${editor.userId}`, { method: 'PATCH', json: { role: 'root' } })).status).toBe(400);
  });

  it('disabling signs the user out everywhere, blocks login and their keys; enabling lets them back', async () => {
    const admin = await createStaff(zhida, 'admin');
    const agent = await createStaff(zhida, 'agent');
    const key = await (await agent.api('/api/v1/api-keys', { method: 'POST', json: { name: 'bot', scopes: ['search'] } })).json();
    const search = () => zhida.api('/api/v1/search', { method: 'POST', json: { query: '信用卡' }, token: key.secret });
    expect((await search()).status).toBe(200);

    const res = await admin.api(`/api/v1/users/${agent.userId}`, { method: 'PATCH', json: { disabled: true } });
    expect(res.status).toBe(200);
    expect((await res.json()).disabled).toBe(true);
    expect(await zhida.ctx.db.select().from(sessions).where(eq(sessions.userId, agent.userId))).toHaveLength(0);
    expect((await agent.api('/api/v1/auth/me')).status).toBe(401);
    await expect(signIn(zhida, agent.email, agent.password)).rejects.toThrow(/401/);
    expect((await search()).status).toBe(401);
    expect((await auditFor(agent.userId)).map((a) => a.action)).toContain('user.disabled');

    expect((await admin.api(`/api/v1/users/${agent.userId}`, { method: 'PATCH', json: { disabled: false } })).status).toBe(200);
    await signIn(zhida, agent.email, agent.password);
    expect((await search()).status).toBe(200);
  });

  it('an admin password reset ends the user’s sessions and the old password', async () => {
    const admin = await createStaff(zhida, 'admin');
    const editor = await createStaff(zhida, 'editor');
    expect((await admin.api(`/api/v1/users/${editor.userId}`, { method: 'PATCH', json: { password: 'reset-by-admin-1' } })).status).toBe(200);
    expect((await editor.api('/api/v1/auth/me')).status).toBe(401);
    await expect(signIn(zhida, editor.email, editor.password)).rejects.toThrow(/401/);
    await signIn(zhida, editor.email, 'reset-by-admin-1');
    expect((await auditFor(editor.userId)).map((a) => a.action)).toContain('user.password_reset');
  });
});

describe('the last active admin', () => {
  it('cannot be demoted or disabled, by anyone, until another admin exists', async () => {
    const zhida = await startTestServer();
    try {
      const a = await createStaff(zhida, 'admin');
      const demote = await a.api(`/api/v1/users/${a.userId}`, { method: 'PATCH', json: { role: 'editor' } });
      expect(demote.status).toBe(409);
      expect((await demote.json()).error.code).toBe('last_admin');
      expect((await zhida.api(`/api/v1/users/${a.userId}`, { method: 'PATCH', json: { disabled: true } })).status).toBe(409);
      const [row] = await zhida.ctx.db.select().from(users).where(eq(users.id, a.userId));
      expect(row).toMatchObject({ role: 'admin', disabled: false });

      const b = await createStaff(zhida, 'admin');
      // A disabled admin does not count as the other admin.
      expect((await a.api(`/api/v1/users/${b.userId}`, { method: 'PATCH', json: { disabled: true } })).status).toBe(200);
      expect((await a.api(`/api/v1/users/${a.userId}`, { method: 'PATCH', json: { role: 'editor' } })).status).toBe(409);
      expect((await zhida.api(`/api/v1/users/${b.userId}`, { method: 'PATCH', json: { disabled: false } })).status).toBe(200);
      // Now there are two: A may step down; then B is the last.
      expect((await a.api(`/api/v1/users/${a.userId}`, { method: 'PATCH', json: { role: 'editor' } })).status).toBe(200);
      expect((await zhida.api(`/api/v1/users/${b.userId}`, { method: 'PATCH', json: { role: 'agent' } })).status).toBe(409);
      // Renaming the last admin is fine.
      expect((await zhida.api(`/api/v1/users/${b.userId}`, { method: 'PATCH', json: { name: 'Boss' } })).status).toBe(200);
    } finally {
      await zhida.stop();
    }
  }, 300_000);
});

describe('zhida user create (CLI)', () => {
  const run = promisify(execFile);
  const cli = (dataDir: string, ...args: string[]) =>
    run(path.resolve('node_modules/.bin/tsx'), ['src/cli/main.ts', 'user', 'create', ...args], {
      env: { ...process.env, ZHIDA_DATA_DIR: dataDir, ZHIDA_LOG_LEVEL: 'silent' },
    }).then(
      (r) => ({ code: 0, ...r }),
      (e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }),
    );

  it('creates a user who can sign in with the generated password, printed once; refuses duplicates', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'zhida-cli-'));
    const first = await cli(dataDir, '--email', 'Root@Bank.test', '--name', '根 管理员', '--role', 'admin');
    expect(first.code, first.stderr).toBe(0);
    const password = /Password \(shown once[^:]*\): (\S+)/.exec(first.stdout)![1]!;
    expect(password.length).toBeGreaterThanOrEqual(10);
    const dup = await cli(dataDir, '--email', 'root@bank.test', '--name', 'x', '--role', 'admin', '--password', 'another-password');
    expect(dup.code).toBe(1);
    expect(dup.stderr).toMatch(/already exists/);
    const badRole = await cli(dataDir, '--email', 'y@bank.test', '--name', 'y', '--role', 'boss');
    expect(badRole.code).toBe(1);
    expect(badRole.stderr).toMatch(/--role/);

    const zhida = await startTestServer({ ZHIDA_DATA_DIR: dataDir });
    try {
      const root = await signIn(zhida, 'root@bank.test', password);
      const me = await (await root.api('/api/v1/auth/me')).json();
      expect(me.user).toMatchObject({ email: 'root@bank.test', name: '根 管理员', role: 'admin' });
      expect((await root.api('/api/v1/users')).status).toBe(200);
    } finally {
      await zhida.stop();
    }
  }, 600_000);
});
