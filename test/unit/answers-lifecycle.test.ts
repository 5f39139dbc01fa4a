import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getAnswer } from '../../src/answers/detail.ts';
import { liveVersionIds } from '../../src/answers/live.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { verifyAuditChain } from '../../src/audit/record.ts';
import { auditLog } from '../../src/db/schema/index.ts';
import { eq, sql } from 'drizzle-orm';
import { createStaff, type StaffSession } from '../helpers/staff.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type Json = Record<string, any>;

describe('answer lifecycle over HTTP', () => {
  let zhida: TestServer;
  let editor: StaffSession;
  let editor2: StaffSession;
  let reviewer: StaffSession;
  let reviewer2: StaffSession;
  let agent: StaffSession;

  beforeAll(async () => {
    zhida = await startTestServer();
    [editor, editor2, reviewer, reviewer2, agent] = await Promise.all([
      createStaff(zhida, 'editor', '编辑 甲'),
      createStaff(zhida, 'editor', '编辑 乙'),
      createStaff(zhida, 'reviewer', '审核 丙'),
      createStaff(zhida, 'reviewer', '审核 丁'),
      createStaff(zhida, 'agent', '坐席 戊'),
    ]);
    const cat = await zhida.api('/api/v1/categories', { method: 'POST', json: { path: '信用卡/挂失与补卡' } });
    expect(cat.status).toBe(201);
  });
  afterAll(async () => zhida?.stop());

  const call = async (who: StaffSession, method: string, path: string, json?: unknown) => {
    const res = await who.api(`/api/v1${path}`, { method, json });
    const body = res.status === 204 ? null : await res.json();
    return { status: res.status, body: body as Json };
  };
  const isLive = async (id: string) =>
    rowsOf(await zhida.ctx.db.execute(sql`select 1 from ${liveVersionIds()} l where l.answer_id = ${id}`)).length === 1;
  const get = async (id: string) => (await call(editor, 'GET', `/answers/${id}`)).body;
  const create = async (title = '信用卡丢了怎么挂失？', extra: Json = {}) => {
    const r = await call(editor, 'POST', '/answers', { title, similarQuestions: ['卡丢了怎么办'], bodyMarkdown: '请拨打 **400-820-8888** 挂失。', category: '信用卡/挂失与补卡', tags: ['挂失'], ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; etag: string; version: { id: string; number: number; status: string } };
  };
  /** Creates an answer and takes version 1 to published (editor writes, reviewer approves). */
  const published = async (title?: string, extra?: Json) => {
    const c = await create(title, extra);
    const s = await call(editor, 'POST', `/answers/${c.id}/submit`, { etag: c.etag });
    expect(s.status).toBe(200);
    const a = await call(reviewer, 'POST', `/answers/${c.id}/approve`, { etag: s.body.etag });
    expect(a.status, JSON.stringify(a.body)).toBe(200);
    return { id: c.id, etag: a.body.etag as string };
  };

  it('draft -> in_review -> published, with four-eyes and role checks', async () => {
    const c = await create();
    expect(c.version).toMatchObject({ number: 1, status: 'draft' });
    let a = await get(c.id);
    expect(a).toMatchObject({ live: null, archived: false, owner: { id: editor.userId, name: '编辑 甲' } });
    expect(a.working).toMatchObject({ number: 1, status: 'draft', title: '信用卡丢了怎么挂失？', category: '信用卡/挂失与补卡', botTextDerived: true, author: { id: editor.userId } });
    expect(a.working.bodyHtml).toContain('<strong>400-820-8888</strong>');
    expect(a.working.body.type).toBe('doc');
    expect(a.working.botText).toContain('400-820-8888');

    // Agents read only.
    expect((await call(agent, 'POST', `/answers/${c.id}/submit`, { etag: c.etag })).status).toBe(403);
    const s = await call(editor, 'POST', `/answers/${c.id}/submit`, { etag: c.etag });
    expect(s.body.version).toMatchObject({ number: 1, status: 'in_review' });
    // Editors cannot approve at all; a reviewer who edited the version cannot approve it either.
    expect((await call(editor2, 'POST', `/answers/${c.id}/approve`, { etag: s.body.etag })).status).toBe(403);
    const own = await create('Reviewer wrote this');
    const ownDraft = await call(reviewer, 'PATCH', `/answers/${own.id}/draft`, { etag: own.etag, tags: ['x'] });
    const ownSubmit = await call(editor, 'POST', `/answers/${own.id}/submit`, { etag: ownDraft.body.etag });
    const fourEyes = await call(reviewer, 'POST', `/answers/${own.id}/approve`, { etag: ownSubmit.body.etag });
    expect(fourEyes.status).toBe(403);
    expect(fourEyes.body.error.code).toBe('four_eyes');
    // The submitter counts too.
    const subOnly = await create('Submitted by a reviewer');
    const subByReviewer = await call(reviewer2, 'POST', `/answers/${subOnly.id}/submit`, { etag: subOnly.etag });
    expect((await call(reviewer2, 'POST', `/answers/${subOnly.id}/approve`, { etag: subByReviewer.body.etag })).body.error.code).toBe('four_eyes');

    const ok = await call(reviewer, 'POST', `/answers/${c.id}/approve`, { etag: s.body.etag, comment: '内容准确' });
    expect(ok.status).toBe(200);
    expect(ok.body.version).toMatchObject({ number: 1, status: 'published' });
    a = await get(c.id);
    expect(a.live).toMatchObject({ number: 1, status: 'published', reviewer: { id: reviewer.userId, name: '审核 丙' }, reviewComment: '内容准确' });
    expect(a.working).toBeNull();
    expect(a.etag).toBe(ok.body.etag);
    expect(await isLive(c.id)).toBe(true);

    const actions = (await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.entityId, c.id))).map((r) => r.action);
    expect(actions).toEqual(['answer.created', 'answer.submitted', 'answer.approved']);
    expect((await verifyAuditChain(zhida.ctx.db)).ok).toBe(true);
  });

  it('rejects illegal transitions with 409 invalid_transition and bad input with 400/422', async () => {
    const c = await create();
    const expectInvalid = async (who: StaffSession, path: string, json: Json) => {
      const r = await call(who, 'POST', `/answers/${c.id}/${path}`, json);
      expect(r.status, `${path}: ${JSON.stringify(r.body)}`).toBe(409);
      expect(r.body.error.code).toBe('invalid_transition');
    };
    let etag = c.etag;
    // draft: cannot be approved, rejected or unarchived
    await expectInvalid(reviewer, 'approve', { etag });
    await expectInvalid(reviewer, 'reject', { etag, comment: 'x' });
    await expectInvalid(reviewer, 'unarchive', { etag });
    etag = (await call(editor, 'POST', `/answers/${c.id}/submit`, { etag })).body.etag;
    // in_review: cannot be submitted again or edited
    await expectInvalid(editor, 'submit', { etag });
    const edit = await call(editor, 'PATCH', `/answers/${c.id}/draft`, { etag, title: 'changed' });
    expect(edit.status).toBe(409);
    expect(edit.body.error.code).toBe('invalid_transition');
    // reject needs a comment
    const noComment = await call(reviewer, 'POST', `/answers/${c.id}/reject`, { etag, comment: '  ' });
    expect(noComment.status).toBe(400);
    const rejected = await call(reviewer, 'POST', `/answers/${c.id}/reject`, { etag, comment: '请补充补卡费用' });
    expect(rejected.body.version.status).toBe('rejected');
    etag = rejected.body.etag;
    // rejected: cannot be submitted, approved or rejected; editing copies it into a new draft
    await expectInvalid(editor, 'submit', { etag });
    await expectInvalid(reviewer, 'approve', { etag });
    const redraft = await call(editor, 'PATCH', `/answers/${c.id}/draft`, { etag, bodyMarkdown: '补卡工本费15元。' });
    expect(redraft.body.version).toMatchObject({ number: 2, status: 'draft' });
    const a = await get(c.id);
    expect(a.versions.map((v: Json) => [v.number, v.status])).toEqual([
      [2, 'draft'],
      [1, 'rejected'],
    ]);
    expect(a.versions[1].reviewComment).toBe('请补充补卡费用');
    expect(a.working).toMatchObject({ number: 2, title: '信用卡丢了怎么挂失？', bodyText: '补卡工本费15元。' });
    etag = redraft.body.etag;
    // archive twice
    etag = (await call(reviewer, 'POST', `/answers/${c.id}/archive`, { etag })).body.etag;
    await expectInvalid(reviewer, 'archive', { etag });

    // bad input
    expect((await call(editor, 'PATCH', `/answers/${c.id}/draft`, { etag, hack: 1 })).status).toBe(400);
    expect((await call(editor, 'POST', '/answers', { title: 'x', category: '不存在/的分类' })).body.error.code).toBe('unknown_category');
    expect((await call(editor, 'POST', '/answers', { title: '' })).status).toBe(400);
    expect((await call(editor, 'POST', '/answers', { title: 'x', body: { type: 'doc', content: [{ type: 'nope' }] } })).body.error.code).toBe('invalid_body');
    expect((await call(editor, 'POST', '/answers', { title: 'x', effectiveFrom: '2030-01-02T00:00:00Z', expiresAt: '2030-01-01T00:00:00Z' })).status).toBe(422);
    expect((await call(editor, 'GET', '/answers/not-a-uuid')).status).toBe(400);
    expect((await call(editor, 'GET', '/answers/00000000-0000-4000-8000-000000000000')).status).toBe(404);
  });

  it('a published answer keeps serving while the next version is drafted; approving supersedes it', async () => {
    const p = await published('Lost card (EN)');
    const d = await call(editor2, 'PATCH', `/answers/${p.id}/draft`, { etag: p.etag, title: 'Lost card: how to report it', similarQuestions: ['I lost my card', 'card stolen'] });
    expect(d.body.version).toMatchObject({ number: 2, status: 'draft' });
    let a = await get(p.id);
    expect(a.live.number).toBe(1);
    expect(a.working).toMatchObject({ number: 2, status: 'draft', title: 'Lost card: how to report it', author: { id: editor2.userId } });
    // A second save edits the same draft in place.
    const d2 = await call(editor, 'PATCH', `/answers/${p.id}/draft`, { etag: d.body.etag, tags: ['lost'] });
    expect(d2.body.version.number).toBe(2);
    const s = await call(editor, 'POST', `/answers/${p.id}/submit`, { etag: d2.body.etag });
    const ok = await call(reviewer2, 'POST', `/answers/${p.id}/approve`, { etag: s.body.etag });
    expect(ok.status).toBe(200);
    a = await get(p.id);
    expect(a.live).toMatchObject({ number: 2, tags: ['lost'] });
    expect(a.versions.map((v: Json) => [v.number, v.status])).toEqual([
      [2, 'published'],
      [1, 'superseded'],
    ]);
    const versions = (await call(agent, 'GET', `/answers/${p.id}/versions`)).body.items;
    expect(versions.map((v: Json) => v.status)).toEqual(['published', 'superseded']);
    expect(versions[1]).toMatchObject({ title: 'Lost card (EN)', bodyHtml: expect.any(String) });
  });

  it('answers 409 with the current Answer on a stale etag, and exactly one of two concurrent editors wins', async () => {
    const c = await create('并发编辑测试');
    const first = await call(editor, 'PATCH', `/answers/${c.id}/draft`, { etag: c.etag, title: '第一次修改' });
    expect(first.status).toBe(200);
    const stale = await call(editor2, 'PATCH', `/answers/${c.id}/draft`, { etag: c.etag, title: '过期的修改' });
    expect(stale.status).toBe(409);
    expect(stale.body.error.code).toBe('conflict');
    expect(stale.body.error.details.current).toMatchObject({ id: c.id, etag: first.body.etag, working: { title: '第一次修改' } });

    for (let round = 0; round < 3; round++) {
      const { etag } = await get(c.id);
      const results = await Promise.all([
        call(editor, 'PATCH', `/answers/${c.id}/draft`, { etag, title: `甲 ${round}` }),
        call(editor2, 'PATCH', `/answers/${c.id}/draft`, { etag, title: `乙 ${round}` }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
      const winner = results.find((r) => r.status === 200)!;
      const now = await get(c.id);
      expect(now.etag).toBe(winner.body.etag);
      expect(now.working.title).toBe(winner === results[0] ? `甲 ${round}` : `乙 ${round}`);
    }
  });

  it('scheduled publishing and expiry take effect exactly at their timestamps', async () => {
    const p = await published('定期存款利率是多少？');
    const goLive = new Date(Date.now() + 3600_000);
    const expires = new Date(goLive.getTime() + 24 * 3600_000);
    const d = await call(editor, 'PATCH', `/answers/${p.id}/draft`, { etag: p.etag, title: '定期存款利率（新）', effectiveFrom: goLive.toISOString(), expiresAt: expires.toISOString() });
    const s = await call(editor, 'POST', `/answers/${p.id}/submit`, { etag: d.body.etag });
    const ok = await call(reviewer, 'POST', `/answers/${p.id}/approve`, { etag: s.body.etag });
    expect(ok.body.version.status).toBe('published');

    const db = zhida.ctx.db;
    const liveAt = async (at: Date) => (await getAnswer(db, p.id, at))!;
    const before = await liveAt(new Date(goLive.getTime() - 1000));
    expect(before.live!.number).toBe(1);
    expect(before.versions.map((v) => v.status)).toEqual(['published', 'published']);
    // Over HTTP (now) the old version still serves, stored status unchanged.
    expect((await get(p.id)).live.number).toBe(1);
    const after = await liveAt(new Date(goLive.getTime() + 1000));
    expect(after.live!.number).toBe(2);
    expect(after.versions.map((v) => v.status)).toEqual(['published', 'superseded']);
    const gone = await liveAt(new Date(expires.getTime() + 1000));
    expect(gone.live).toBeNull();
    // The shared live rule that search uses agrees.
    const ids = async (at: Date) => rowsOf<{ version_id: string }>(await db.execute(sql`select version_id from ${liveVersionIds(at)} l where l.answer_id = ${p.id}`)).map((r) => r.version_id);
    expect(await ids(new Date(goLive.getTime() - 1000))).toEqual([before.live!.id]);
    expect(await ids(new Date(goLive.getTime() + 1000))).toEqual([after.live!.id]);
    expect(await ids(new Date(expires.getTime() + 1000))).toEqual([]);

    // An expiry already past at approval: not live at once.
    const q = await published('已过期的活动');
    const past = await call(editor, 'PATCH', `/answers/${q.id}/draft`, { etag: q.etag, expiresAt: new Date(Date.now() - 1000).toISOString() });
    const qs = await call(editor, 'POST', `/answers/${q.id}/submit`, { etag: past.body.etag });
    await call(reviewer, 'POST', `/answers/${q.id}/approve`, { etag: qs.body.etag });
    expect((await get(q.id)).live).toBeNull();
  });

  it('archive withdraws an answer from search, unarchive brings it back', async () => {
    const p = await published('外汇兑换额度是多少', { similarQuestions: ['换汇额度'] });
    // live.ts is what search, the bot and exports serve from.
    const found = () => isLive(p.id);
    expect(await found()).toBe(true);
    expect((await call(editor, 'POST', `/answers/${p.id}/archive`, { etag: p.etag })).status).toBe(403);
    const ar = await call(reviewer, 'POST', `/answers/${p.id}/archive`, { etag: p.etag });
    expect(ar.status).toBe(200);
    expect(await get(p.id)).toMatchObject({ archived: true, live: null });
    expect(await found()).toBe(false);
    const un = await call(reviewer, 'POST', `/answers/${p.id}/unarchive`, { etag: ar.body.etag });
    expect(un.status).toBe(200);
    expect((await get(p.id)).live.number).toBe(1);
    expect(await found()).toBe(true);
  });

  it('restore copies an old version into a new draft that goes through review', async () => {
    const p = await published('手机银行登录密码忘了', { bodyMarkdown: '请在登录页点击「忘记密码」。' });
    const d = await call(editor2, 'PATCH', `/answers/${p.id}/draft`, { etag: p.etag, bodyMarkdown: '错误的说明。', similarQuestions: ['忘记密码'] });
    const s = await call(editor2, 'POST', `/answers/${p.id}/submit`, { etag: d.body.etag });
    const v2 = await call(reviewer, 'POST', `/answers/${p.id}/approve`, { etag: s.body.etag });
    expect((await get(p.id)).live.bodyText).toBe('错误的说明。');
    const r = await call(editor, 'POST', `/answers/${p.id}/restore`, { etag: v2.body.etag, version: 1 });
    expect(r.status).toBe(200);
    expect(r.body.version).toMatchObject({ number: 3, status: 'draft' });
    let a = await get(p.id);
    expect(a.live.number).toBe(2);
    expect(a.working).toMatchObject({ number: 3, restoredFrom: 1, bodyText: '请在登录页点击「忘记密码」。', similarQuestions: ['卡丢了怎么办'] });
    expect((await call(editor, 'POST', `/answers/${p.id}/restore`, { etag: r.body.etag, version: 9 })).status).toBe(404);
    const s3 = await call(editor, 'POST', `/answers/${p.id}/submit`, { etag: r.body.etag });
    await call(reviewer2, 'POST', `/answers/${p.id}/approve`, { etag: s3.body.etag });
    a = await get(p.id);
    expect(a.live).toMatchObject({ number: 3, restoredFrom: 1, bodyText: '请在登录页点击「忘记密码」。' });
    const diff = (await call(agent, 'GET', `/answers/${p.id}/diff?from=2&to=3`)).body;
    expect(diff.similarQuestions).toEqual({ added: ['卡丢了怎么办'], removed: ['忘记密码'] });
    expect(diff.fields.find((f: Json) => f.field === 'similarQuestions').changed).toBe(true);
    expect(diff.fields.find((f: Json) => f.field === 'title')).toMatchObject({ changed: false, before: '手机银行登录密码忘了' });
  });

  it('sanitises HTML bodies server-side', async () => {
    const c = await create('XSS', { bodyMarkdown: undefined, bodyHtml: '<p onclick="x()">安全<img src=x onerror="alert(1)"><script>alert(2)</script><a href="javascript:alert(3)">link</a><a href="https://bank.example">ok</a></p>' });
    const a = await get(c.id);
    expect(a.working.bodyHtml).not.toMatch(/script|onerror|onclick|javascript:|alert/);
    expect(a.working.bodyHtml).toContain('安全');
    expect(a.working.bodyHtml).toContain('href="https://bank.example"');
    const viaJson = await create('XSS json', {
      bodyMarkdown: undefined,
      body: { type: 'doc', content: [{ type: 'paragraph', content: [{ type: 'text', text: 'x', marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }] }] }] },
    });
    const stored = (await get(viaJson.id)).working;
    expect(stored.bodyHtml).not.toContain('javascript:');
    expect(JSON.stringify(stored.body)).not.toContain('javascript:');
    expect(JSON.stringify(stored.body)).toContain('"text":"x"');
  });

  it('lists answers with filters', async () => {
    const p = await published('列表筛选专用答案', { tags: ['列表标签'], channels: ['agent'] });
    const d = await call(editor2, 'PATCH', `/answers/${p.id}/draft`, { etag: p.etag, title: '列表筛选专用答案 v2' });
    await call(editor2, 'POST', `/answers/${p.id}/submit`, { etag: d.body.etag });
    const list = async (who: StaffSession, qs: string) => (await call(who, 'GET', `/answers?${qs}`)).body;
    const byTag = await list(editor, `tag=${encodeURIComponent('列表标签')}`);
    expect(byTag.total).toBe(1);
    expect(byTag.items[0]).toMatchObject({ id: p.id, title: '列表筛选专用答案 v2', status: 'in_review', liveNumber: 1, workingStatus: 'in_review', channels: ['agent'], archived: false });
    expect((await list(reviewer, 'needsMyReview=1')).items.map((i: Json) => i.id)).toContain(p.id);
    expect((await list(editor2, 'needsMyReview=1')).items.map((i: Json) => i.id)).not.toContain(p.id);
    expect((await list(editor2, 'mine=1')).items.map((i: Json) => i.id)).toContain(p.id);
    expect((await list(editor, `q=${encodeURIComponent('筛选专用')}&status=in_review`)).items.map((i: Json) => i.id)).toEqual([p.id]);
    expect((await list(editor, 'channel=agent&pageSize=1')).pageSize).toBe(1);
    expect((await call(editor, 'GET', '/answers?bogus=1')).status).toBe(400);
    const cats = (await call(agent, 'GET', '/categories')).body.items;
    expect(cats.find((c: Json) => c.path === '信用卡')).toMatchObject({ name: '信用卡', parentPath: null });
    expect(cats.find((c: Json) => c.path === '信用卡/挂失与补卡').answerCount).toBeGreaterThan(0);
    const del = await zhida.api(`/api/v1/categories/${encodeURIComponent('信用卡/挂失与补卡')}`, { method: 'DELETE' });
    expect(del.status).toBe(409);
    await zhida.api('/api/v1/categories', { method: 'POST', json: { path: '临时/空分类' } });
    expect((await zhida.api(`/api/v1/categories/${encodeURIComponent('临时/空分类')}`, { method: 'DELETE' })).status).toBe(204);
    expect((await call(editor, 'POST', '/categories', { path: 'x' })).status).toBe(403);
  });
});
