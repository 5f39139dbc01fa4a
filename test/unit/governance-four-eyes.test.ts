import { and, desc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/rows.ts';
import { liveVersionIds } from '../../src/answers/live.ts';
import { auditLog } from '../../src/db/schema/index.ts';
import { createStaff, type StaffSession } from '../helpers/staff.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type Json = Record<string, any>;
const MASTER = undefined;

/**
 * Issue 11 items 2-4: no sequence of API calls lets one person publish what they contributed to.
 * Each sequence is the exact side door the security review found, over real HTTP on a real server.
 */
describe('four-eyes with no side doors', () => {
  let zhida: TestServer;
  let editor: StaffSession;
  let reviewer: StaffSession;
  let reviewer2: StaffSession;
  let admin: StaffSession;

  beforeAll(async () => {
    zhida = await startTestServer();
    [editor, reviewer, reviewer2, admin] = await Promise.all([
      createStaff(zhida, 'editor', '编辑 甲'),
      createStaff(zhida, 'reviewer', '审核 乙'),
      createStaff(zhida, 'reviewer', '审核 丙'),
      createStaff(zhida, 'admin', '管理 丁'),
    ]);
  });
  afterAll(async () => zhida?.stop());

  /** who: a staff session, an API key secret, or MASTER (the master key). */
  const call = async (who: StaffSession | string | typeof MASTER, method: string, path: string, json?: unknown) => {
    const res = who === MASTER || typeof who === 'string' ? await zhida.api(`/api/v1${path}`, { method, json, ...(who === MASTER ? {} : { token: who }) }) : await who.api(`/api/v1${path}`, { method, json });
    const body = res.status === 204 ? null : await res.json();
    return { status: res.status, body: body as Json };
  };
  const isLive = async (id: string) => rowsOf(await zhida.ctx.db.execute(sql`select 1 from ${liveVersionIds()} l where l.answer_id = ${id}`)).length === 1;
  const importNdjson = async (who: StaffSession | string, records: Json[], publish: boolean) => {
    const res = await (typeof who === 'string'
      ? zhida.api(`/api/v1/import?publish=${publish}`, { method: 'POST', body: records.map((r) => JSON.stringify(r)).join('\n'), headers: { 'content-type': 'application/x-ndjson' }, token: who })
      : who.api(`/api/v1/import?publish=${publish}`, { method: 'POST', body: records.map((r) => JSON.stringify(r)).join('\n'), headers: { 'content-type': 'application/x-ndjson' } }));
    return { status: res.status, body: (await res.json()) as Json };
  };
  const refusals = async () =>
    (await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'security.refused')).orderBy(desc(auditLog.id))).map((r) => r.details as Json);
  const create = async (who: StaffSession, title: string) => {
    const r = await call(who, 'POST', '/answers', { title, bodyMarkdown: `${title} 的答案。` });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; etag: string };
  };

  it('reject has four-eyes, and contributors survive a reject: reject own -> edit -> approve is refused', async () => {
    const a = await create(reviewer, '审核员自己写的答案');
    const submitted = await call(reviewer, 'POST', `/answers/${a.id}/submit`, { etag: a.etag });
    // The reviewer cannot reject their own submission (that would wipe them from the history)…
    const ownReject = await call(reviewer, 'POST', `/answers/${a.id}/reject`, { etag: submitted.body.etag, comment: '改一下' });
    expect(ownReject.status).toBe(403);
    expect(ownReject.body.error.code).toBe('four_eyes');
    expect((await refusals())[0]).toMatchObject({ code: 'four_eyes', path: `/api/v1/answers/${a.id}/reject`, status: 403 });
    // …a second reviewer may; the editor then changes a word and resubmits.
    const rejected = await call(reviewer2, 'POST', `/answers/${a.id}/reject`, { etag: submitted.body.etag, comment: '改一下' });
    expect(rejected.status).toBe(200);
    const edited = await call(editor, 'PATCH', `/answers/${a.id}/draft`, { etag: rejected.body.etag, tags: ['小改'] });
    expect(edited.body.version).toMatchObject({ number: 2, status: 'draft' });
    const resubmitted = await call(editor, 'POST', `/answers/${a.id}/submit`, { etag: edited.body.etag });
    // The text under review is still largely the reviewer's: they cannot approve it.
    const approve = await call(reviewer, 'POST', `/answers/${a.id}/approve`, { etag: resubmitted.body.etag });
    expect(approve.status).toBe(403);
    expect(approve.body.error.code).toBe('four_eyes');
    expect(await isLive(a.id)).toBe(false);
    expect((await call(reviewer2, 'POST', `/answers/${a.id}/approve`, { etag: resubmitted.body.etag })).status).toBe(200);
    expect(await isLive(a.id)).toBe(true);
  });

  it('edit -> export -> re-import as draft -> approve is refused: re-import keeps the draft contributors', async () => {
    const a = await create(editor, '再导入的草稿');
    await zhida.ctx.db.execute(sql`update answers set external_id = 'reimport-1' where id = ${a.id}::uuid`);
    // The reviewer edits the editor's draft.
    const current = await call(editor, 'GET', `/answers/${a.id}`);
    const byReviewer = await call(reviewer, 'PATCH', `/answers/${a.id}/draft`, { etag: current.body.etag, bodyMarkdown: '审核员改写的正文。' });
    expect(byReviewer.status).toBe(200);
    // The editor exports everything and re-imports this answer as a draft (publish=false).
    const exported = await (await editor.api('/api/v1/export?format=ndjson&status=all')).text();
    const line = exported
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Json)
      .find((r) => r.title === '再导入的草稿')!;
    expect(line).toBeDefined();
    const reimported = await importNdjson(editor, [{ ...line, tags: ['再导入'] }], false);
    expect(reimported.body).toMatchObject({ updated: 1, errors: [] });
    const afterImport = await call(editor, 'GET', `/answers/${a.id}`);
    const submitted = await call(editor, 'POST', `/answers/${a.id}/submit`, { etag: afterImport.body.etag });
    expect(submitted.status).toBe(200);
    const approve = await call(reviewer, 'POST', `/answers/${a.id}/approve`, { etag: submitted.body.etag });
    expect(approve.status).toBe(403);
    expect(approve.body.error.code).toBe('four_eyes');
  });

  it('restore keeps the contributors of the rejected change it replaces', async () => {
    const a = await create(editor, '恢复的答案');
    const s1 = await call(editor, 'POST', `/answers/${a.id}/submit`, { etag: a.etag });
    const p1 = await call(reviewer2, 'POST', `/answers/${a.id}/approve`, { etag: s1.body.etag });
    expect(p1.status).toBe(200);
    const d2 = await call(reviewer, 'PATCH', `/answers/${a.id}/draft`, { etag: p1.body.etag, bodyMarkdown: '审核员的新版本。' });
    const s2 = await call(editor, 'POST', `/answers/${a.id}/submit`, { etag: d2.body.etag });
    const r2 = await call(reviewer2, 'POST', `/answers/${a.id}/reject`, { etag: s2.body.etag, comment: '不对' });
    // The editor restores version 1 over the rejected change and submits it; the reviewer who wrote
    // the rejected version 2 is still in the lineage since the last publication.
    const restored = await call(editor, 'POST', `/answers/${a.id}/restore`, { etag: r2.body.etag, version: 1 });
    expect(restored.status).toBe(200);
    const s3 = await call(editor, 'POST', `/answers/${a.id}/submit`, { etag: restored.body.etag });
    expect((await call(reviewer, 'POST', `/answers/${a.id}/approve`, { etag: s3.body.etag })).body.error.code).toBe('four_eyes');
  });

  it('an admin cannot mint a key for an editor, and the master key cannot approve', async () => {
    const forEditor = await call(admin, 'POST', '/api-keys', { name: '代建', scopes: ['answers'], userId: editor.userId });
    expect(forEditor.status).toBe(403);
    expect((await refusals())[0]).toMatchObject({ status: 403, path: '/api/v1/api-keys', method: 'POST' });

    const a = await create(editor, '主密钥不能审批');
    const s = await call(editor, 'POST', `/answers/${a.id}/submit`, { etag: a.etag });
    const byMaster = await call(MASTER, 'POST', `/answers/${a.id}/approve`, { etag: s.body.etag });
    expect(byMaster.status).toBe(403);
    expect(byMaster.body.error.code).toBe('review_needs_person');
    expect((await refusals())[0]).toMatchObject({ code: 'review_needs_person', who: 'master key' });
    expect(await isLive(a.id)).toBe(false);

    // A key the master key issued for a reviewer (a service account) does not review either…
    const issued = await call(MASTER, 'POST', '/api-keys', { name: 'ops-issued', scopes: ['answers', 'import'], userId: reviewer.userId });
    expect(issued.status).toBe(201);
    const viaIssued = await call(issued.body.secret, 'POST', `/answers/${a.id}/approve`, { etag: s.body.etag });
    expect(viaIssued.body.error.code).toBe('review_needs_person');
    // …while a key the reviewer created for themselves does.
    const own = await call(reviewer, 'POST', '/api-keys', { name: 'mine', scopes: ['answers', 'import'] });
    expect(own.status).toBe(201);
    expect((await call(own.body.secret, 'POST', `/answers/${a.id}/approve`, { etag: s.body.etag })).status).toBe(200);
  });

  it('publish=true stages an import batch that only a second reviewer publishes', async () => {
    const existing = await create(editor, '导入覆盖的在线答案');
    const s = await call(editor, 'POST', `/answers/${existing.id}/submit`, { etag: existing.etag });
    await call(reviewer2, 'POST', `/answers/${existing.id}/approve`, { etag: s.body.etag });
    const detail = await call(editor, 'GET', `/answers/${existing.id}`);
    const records = [
      { externalId: 'batch-1', title: '批量导入一', body: '正文一' },
      { externalId: 'batch-2', title: '批量导入二', body: '正文二' },
    ];
    // Give the live answer an externalId so the batch updates it.
    await zhida.ctx.db.execute(sql`update answers set external_id = 'batch-live' where id = ${existing.id}::uuid`);
    void detail;
    const staged = await importNdjson(reviewer, [...records, { externalId: 'batch-live', title: '导入覆盖的在线答案', body: '导入的新正文' }], true);
    expect(staged.status).toBe(200);
    expect(staged.body).toMatchObject({ created: 2, updated: 1, errors: [], status: 'pending_approval', batchId: expect.any(String) });
    const batchId = staged.body.batchId as string;
    // Nothing is live yet; the live answer still serves its old text.
    const [one] = rowsOf<{ id: string }>(await zhida.ctx.db.execute(sql`select id from answers where external_id = 'batch-1'`));
    expect(await isLive(one!.id)).toBe(false);
    const liveText = rowsOf<{ body_text: string }>(await zhida.ctx.db.execute(sql`select v.body_text from ${liveVersionIds()} l join answer_versions v on v.id = l.version_id where l.answer_id = ${existing.id}::uuid`));
    expect(liveText[0]!.body_text).toContain('导入覆盖的在线答案 的答案');

    const pending = await call(reviewer2, 'GET', '/import-batches');
    expect(pending.body.items.map((b: Json) => b.id)).toContain(batchId);
    const shown = await call(reviewer2, 'GET', `/import-batches/${batchId}`);
    expect(shown.body).toMatchObject({ status: 'pending_approval', importedBy: { id: reviewer.userId }, created: 2, updated: 1 });
    expect(shown.body.items).toHaveLength(3);
    expect(shown.body.items.find((i: Json) => i.externalId === 'batch-live')).toMatchObject({ previousVersion: 1, version: 2, status: 'in_review' });

    // The staged versions cannot be approved one by one, least of all by the importer.
    const oneByOne = await call(reviewer2, 'POST', `/answers/${one!.id}/approve`, { etag: (await call(editor, 'GET', `/answers/${one!.id}`)).body.etag });
    expect(oneByOne.status).toBe(409);
    // The importer cannot approve the batch; neither can the master key.
    const byImporter = await call(reviewer, 'POST', `/import-batches/${batchId}/approve`, {});
    expect(byImporter.status).toBe(403);
    expect(byImporter.body.error.code).toBe('four_eyes');
    expect((await refusals())[0]).toMatchObject({ code: 'four_eyes', path: `/api/v1/import-batches/${batchId}/approve` });
    expect((await call(MASTER, 'POST', `/import-batches/${batchId}/approve`, {})).body.error.code).toBe('review_needs_person');
    // Editors cannot approve at all.
    expect((await call(editor, 'POST', `/import-batches/${batchId}/approve`, {})).status).toBe(403);
    // An editor-contributed answer in the batch: the contributor cannot approve the batch.
    const approved = await call(reviewer2, 'POST', `/import-batches/${batchId}/approve`, { comment: '已核对' });
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', reviewer: { id: reviewer2.userId } });
    expect(await isLive(one!.id)).toBe(true);
    const found = await (await zhida.api('/api/v1/search', { method: 'POST', json: { query: '批量导入二' } })).json();
    expect(found.results[0]?.externalId).toBe('batch-2');
    // Deciding twice is a conflict (and audited, being a decision).
    expect((await call(reviewer2, 'POST', `/import-batches/${batchId}/approve`, {})).status).toBe(409);
    const decided = await zhida.ctx.db.select().from(auditLog).where(and(eq(auditLog.action, 'import_batch.approved'), eq(auditLog.entityId, batchId)));
    expect(decided).toHaveLength(1);
  });

  it('a batch over a draft someone edited cannot be approved by that contributor; reject needs a second reviewer too', async () => {
    const a = await create(editor, '批次里的草稿');
    await zhida.ctx.db.execute(sql`update answers set external_id = 'batch-draft' where id = ${a.id}::uuid`);
    const current = await call(editor, 'GET', `/answers/${a.id}`);
    await call(reviewer2, 'PATCH', `/answers/${a.id}/draft`, { etag: current.body.etag, tags: ['丙改过'] });
    const staged = await importNdjson(reviewer, [{ externalId: 'batch-draft', title: '批次里的草稿', body: '导入正文' }], true);
    expect(staged.body.status).toBe('pending_approval');
    const batchId = staged.body.batchId as string;
    expect((await call(reviewer2, 'POST', `/import-batches/${batchId}/approve`, {})).body.error.code).toBe('four_eyes');
    expect((await call(reviewer, 'POST', `/import-batches/${batchId}/reject`, { comment: '撤回' })).body.error.code).toBe('four_eyes');
    expect((await call(admin, 'POST', `/import-batches/${batchId}/reject`, {})).status).toBe(400);
    const rejected = await call(admin, 'POST', `/import-batches/${batchId}/reject`, { comment: '内容不对' });
    expect(rejected.status).toBe(200);
    expect(rejected.body.items[0]).toMatchObject({ status: 'rejected' });
    expect(await isLive(a.id)).toBe(false);
    // Importing it again stages it for review again (nothing of it is live).
    const again = await importNdjson(reviewer, [{ externalId: 'batch-draft', title: '批次里的草稿', body: '导入正文' }], true);
    expect(again.body).toMatchObject({ batchId: expect.any(String) });
  });

  it('a script with two reviewer keys (each minted by its reviewer) loads a knowledge base', async () => {
    const k1 = (await call(reviewer, 'POST', '/api-keys', { name: 'loader', scopes: ['import'] })).body.secret as string;
    const k2 = (await call(reviewer2, 'POST', '/api-keys', { name: 'approver', scopes: ['import'] })).body.secret as string;
    const staged = await importNdjson(k1, [{ externalId: 'script-1', title: '脚本导入', body: '正文' }], true);
    expect(staged.body.status).toBe('pending_approval');
    expect((await call(k1, 'POST', `/import-batches/${staged.body.batchId}/approve`, {})).status).toBe(403);
    expect((await call(k2, 'POST', `/import-batches/${staged.body.batchId}/approve`, {})).status).toBe(200);
  });
});
