import { asc, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog } from '../../src/db/schema/index.ts';
import { recordAudit, verifyAuditChain } from '../../src/audit/record.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { createStaff, type StaffSession } from '../helpers/staff.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

interface Entry {
  id: number;
  at: string;
  actorKind: string;
  actorId: string | null;
  actorName: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  details: Record<string, unknown>;
}

describe('audit API', () => {
  let zhida: TestServer;
  let admin: StaffSession;
  let keyId: string;
  beforeAll(async () => {
    zhida = await startTestServer();
    admin = await createStaff(zhida, 'admin', '审计 管理员');
    // A key acting for the admin creates another key, so the log holds user, master and key actors.
    const key = await (await admin.api('/api/v1/api-keys', { method: 'POST', json: { name: 'ops', scopes: ['admin'] } })).json();
    keyId = key.id;
    await zhida.api('/api/v1/api-keys', { method: 'POST', json: { name: 'made by key', scopes: ['search'] }, token: key.secret });
    await zhida.api('/api/v1/auth/login', { method: 'POST', json: { email: admin.email, password: 'wrong-password' }, token: null });
  });
  afterAll(async () => zhida?.stop());

  const list = async (query = '') => {
    const res = await admin.api(`/api/v1/audit${query}`);
    expect(res.status, await res.clone().text()).toBe(200);
    return (await res.json()) as { items: Entry[]; nextBefore: number | null };
  };

  it('lists newest first with actor names for users, keys, the master key and the system', async () => {
    const { items, nextBefore } = await list();
    expect(nextBefore).toBeNull();
    const ids = items.map((e) => e.id);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    const byAction = (a: string) => items.filter((e) => e.action === a);
    expect(byAction('user.created')[0]).toMatchObject({ actorKind: 'master', actorId: null, actorName: 'master key', entityType: 'user', entityId: admin.userId });
    expect(byAction('auth.login')[0]).toMatchObject({ actorKind: 'user', actorId: admin.userId, actorName: '审计 管理员' });
    const created = byAction('api_key.created');
    expect(created.find((e) => e.details.name === 'ops')).toMatchObject({ actorKind: 'user', actorName: '审计 管理员' });
    expect(created.find((e) => e.details.name === 'made by key')).toMatchObject({ actorKind: 'api_key', actorId: keyId, actorName: 'ops (审计 管理员)' });
    expect(byAction('auth.login_failed')[0]).toMatchObject({ actorKind: 'system', actorName: 'system', details: { email: admin.email, reason: 'wrong_password' } });
    expect(new Date(items[0]!.at).toISOString()).toBe(items[0]!.at);
  });

  it('filters by action, entity, actor and time, and pages with before/nextBefore', async () => {
    const all = (await list('?limit=500')).items;
    expect((await list('?action=api_key.created')).items.map((e) => e.details.name).sort()).toEqual(['made by key', 'ops']);
    expect((await list(`?entityType=user&entityId=${admin.userId}`)).items.every((e) => e.entityId === admin.userId)).toBe(true);
    expect((await list(`?actorId=${keyId}`)).items.map((e) => e.action)).toEqual(['api_key.created']);
    expect((await list(`?from=${encodeURIComponent(new Date(Date.now() + 3600_000).toISOString())}`)).items).toEqual([]);
    expect((await list(`?to=2000-01-01`)).items).toEqual([]);
    expect((await list(`?from=2000-01-01&to=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).items).toHaveLength(all.length);

    const seen: number[] = [];
    let before: number | null | undefined;
    for (let pages = 0; pages < 50; pages++) {
      const page = await list(`?limit=2${before ? `&before=${before}` : ''}`);
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((e) => e.id));
      before = page.nextBefore;
      if (!before) break;
    }
    expect(seen).toEqual(all.map((e) => e.id));
  });

  it('rejects bad filters and non-admins', async () => {
    for (const q of ['?limit=0', '?limit=abc', '?from=yesterday', '?before=-1', '?sort=asc']) {
      const res = await admin.api(`/api/v1/audit${q}`);
      expect(res.status, q).toBe(400);
      expect((await res.json()).error.code).toBe('validation_failed');
    }
    const reviewer = await createStaff(zhida, 'reviewer');
    expect((await reviewer.api('/api/v1/audit')).status).toBe(403);
    expect((await reviewer.api('/api/v1/audit/verify')).status).toBe(403);
    expect((await zhida.api('/api/v1/audit', { token: null })).status).toBe(401);
  });

  it('verifies the chain, and finds a row edited directly in the database', async () => {
    const ok = await (await admin.api('/api/v1/audit/verify')).json();
    const [{ n }] = (await zhida.ctx.db.select({ n: sql<number>`count(*)::int` }).from(auditLog)) as [{ n: number }];
    expect(ok).toEqual({ ok: true, checked: n });

    // Someone with database access quietly rewrites history: the key was created with a different scope.
    const target = (await list('?action=api_key.created')).items.find((e) => e.details.name === 'made by key')!;
    await zhida.ctx.db.execute(sql`UPDATE audit_log SET details = jsonb_set(details, '{scopes}', '["admin"]') WHERE id = ${target.id}`);
    const bad = await (await admin.api('/api/v1/audit/verify')).json();
    expect(bad).toEqual({ ok: false, checked: expect.any(Number), firstBadId: target.id });
    expect(bad.checked).toBeLessThan(n);
  });
});

describe('audit chain (database)', () => {
  it('detects a deleted row and an edited timestamp', async () => {
    const database = await createTestDatabase();
    try {
      const { db } = database;
      for (let i = 1; i <= 5; i++) await db.transaction((tx) => recordAudit(tx, { kind: 'system' }, { action: 'test.step', details: { i } }));
      const rows = await db.select().from(auditLog).orderBy(asc(auditLog.id));
      expect(await verifyAuditChain(db)).toEqual({ ok: true, checked: 5 });
      await db.execute(sql`DELETE FROM audit_log WHERE id = ${rows[2]!.id}`);
      expect(await verifyAuditChain(db)).toEqual({ ok: false, checked: 2, firstBadId: rows[3]!.id });
      // Changing a timestamp is as detectable as changing the details.
      await db.execute(sql`UPDATE audit_log SET at = at - interval '1 day' WHERE id = ${rows[1]!.id}`);
      expect(await verifyAuditChain(db)).toEqual({ ok: false, checked: 1, firstBadId: rows[1]!.id });
    } finally {
      await database.close();
    }
  }, 300_000);
});
