import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { approveImportBatch, signIn } from '../helpers/staff.ts';
import { createWireDatabase } from '../helpers/wire-db.ts';

type Json = Record<string, any>;

/** The same lifecycle through postgres.js (the production driver) over the Postgres wire protocol. */
describe('answer lifecycle on the postgres.js driver', () => {
  let zhida: TestServer;
  /** Bearer keys (this suite is about the driver, not sessions): the master key writes, a reviewer's key approves. */
  const editor = { token: undefined as string | undefined };
  const reviewer = { token: '' as string | undefined };
  beforeAll(async () => {
    const database = await createWireDatabase();
    zhida = await startTestServer({}, database);
    const user = await (await zhida.api('/api/v1/users', { method: 'POST', json: { name: '审核 wire', email: 'wire.reviewer@bank.test', password: 'wire-reviewer-password-1', role: 'reviewer' } })).json();
    // Only a key the reviewer mints for themselves may approve (one minted by the master key may not).
    const session = await signIn(zhida, 'wire.reviewer@bank.test', 'wire-reviewer-password-1', user.id);
    const key = await session.api('/api/v1/api-keys', { method: 'POST', json: { name: 'wire reviewer', scopes: ['answers'] } });
    expect(key.status).toBe(201);
    reviewer.token = (await key.json()).secret;
  });
  afterAll(async () => zhida?.stop());

  const call = async (who: { token: string | undefined }, method: string, path: string, json?: unknown) => {
    const res = await zhida.api(`/api/v1${path}`, { method, json, token: who.token });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('creates, reviews, publishes, lists, diffs, imports and exports', async () => {
    await zhida.api('/api/v1/categories', { method: 'POST', json: { path: '储蓄/定期' } });
    const c = await call(editor, 'POST', '/answers', { title: '定期存款可以提前支取吗？', bodyMarkdown: '可以，按活期利率计息。', category: '储蓄/定期', effectiveFrom: null });
    expect(c.status).toBe(201);
    const s = await call(editor, 'POST', `/answers/${c.body.id}/submit`, { etag: c.body.etag });
    const a = await call(reviewer, 'POST', `/answers/${c.body.id}/approve`, { etag: s.body.etag });
    expect(a.status).toBe(200);
    const d = await call(editor, 'PATCH', `/answers/${c.body.id}/draft`, { etag: a.body.etag, bodyMarkdown: '可以，提前支取部分按活期利率计息。', reviewDueAt: '2027-06-01T00:00:00+08:00' });
    expect(d.body.version.number).toBe(2);
    const stale = await call(editor, 'PATCH', `/answers/${c.body.id}/draft`, { etag: a.body.etag, title: 'x' });
    expect(stale.status).toBe(409);
    const detail = (await call(editor, 'GET', `/answers/${c.body.id}`)).body;
    expect(detail).toMatchObject({ live: { number: 1 }, working: { number: 2, reviewDueAt: '2027-05-31T16:00:00.000Z' } });
    const list = (await call(editor, 'GET', '/answers?category=储蓄&review=due')).body;
    expect(list).toMatchObject({ total: 0 });
    const all = (await call(editor, 'GET', '/answers?category=储蓄')).body;
    expect(all.items[0]).toMatchObject({ id: c.body.id, liveNumber: 1, workingStatus: 'draft', reviewDueAt: expect.any(String) });
    const diff = (await call(editor, 'GET', `/answers/${c.body.id}/diff?from=1&to=2`)).body;
    expect(diff.body.filter((o: Json) => o.op === 'insert').map((o: Json) => o.text).join('')).toBe('提前支取部分');
    const imp = await zhida.api('/api/v1/import?publish=true', { method: 'POST', body: '{"externalId":"w-1","title":"Wire import","body":"ok"}\n', headers: { 'content-type': 'application/x-ndjson' } });
    const staged = await imp.json();
    expect(staged).toMatchObject({ created: 1, updated: 0, unchanged: 0, errors: [], status: 'pending_approval' });
    await approveImportBatch(zhida, staged.batchId);
    const exp = await (await zhida.api('/api/v1/export?format=ndjson')).text();
    expect(exp.trim().split('\n')).toHaveLength(2);
    const cats = (await call(editor, 'GET', '/categories')).body.items;
    expect(cats.find((x: Json) => x.path === '储蓄').answerCount).toBe(1);
  });
});
