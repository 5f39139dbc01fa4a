import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formattedBodyDiff } from '../../src/answers/rich-diff.ts';
import { diffText } from '../../src/answers/diff.ts';
import { auditLog } from '../../src/db/schema/index.ts';
import { createStaff, type StaffSession } from '../helpers/staff.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

type Json = Record<string, any>;

const table = (rows: string[][]) => ({
  type: 'table',
  content: rows.map((cells, r) => ({
    type: 'tableRow',
    content: cells.map((text) => ({ type: r === 0 ? 'tableHeader' : 'tableCell', attrs: { colspan: 1, rowspan: 1, colwidth: null }, content: [{ type: 'paragraph', content: [{ type: 'text', text }] }] })),
  })),
});
const para = (text: string, marks?: { type: string }[]) => ({ type: 'paragraph', content: [{ type: 'text', text, ...(marks ? { marks } : {}) }] });
const list = (items: string[]) => ({ type: 'bulletList', content: items.map((t) => ({ type: 'listItem', content: [para(t)] })) });
const doc = (...content: object[]) => ({ type: 'doc', content });

describe('formatted body diff (rich text with changes marked)', () => {
  it('marks one changed table cell, not the whole table', () => {
    const before = doc(table([['卡种', '手续费'], ['借记卡', '12元/笔'], ['信用卡', '免费']]));
    const after = doc(table([['卡种', '手续费'], ['借记卡', '15元/笔'], ['信用卡', '免费']]));
    const html = formattedBodyDiff(before, after, diffText);
    expect(html).toContain('<table>');
    expect(html.match(/<tr>/g)).toHaveLength(3);
    expect(html).toContain('<del>2</del>');
    expect(html).toContain('<ins>5</ins>');
    expect(html).toContain('<td>信用卡</td>'.replace('<td>信用卡</td>', '<td><p>信用卡</p></td>'));
    expect(html).not.toContain('diff-del');
  });

  it('shows list items added and removed, and a bold change as a format change', () => {
    const before = doc(para('挂失方式', []), list(['手机银行', '柜台']));
    const after = doc(para('挂失方式', [{ type: 'bold' }]), list(['手机银行', '客服热线', '柜台']));
    const html = formattedBodyDiff(before, after, diffText);
    expect(html).toContain('<p class="diff-format"><strong>挂失方式</strong></p>');
    expect(html).toContain('<li class="diff-ins"><p>客服热线</p></li>');
    expect(html).toContain('<li><p>柜台</p></li>');
    const removed = formattedBodyDiff(after, before, diffText);
    expect(removed).toContain('<li class="diff-del"><p>客服热线</p></li>');
  });

  it('escapes text and drops unsafe links', () => {
    const html = formattedBodyDiff(doc(para('a')), doc({ type: 'paragraph', content: [{ type: 'text', text: '<script>x</script>', marks: [{ type: 'link', attrs: { href: 'javascript:alert(1)' } }] }] }), diffText);
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('javascript:');
  });
});

describe('editor workflow over HTTP: withdraw, archive reason, notifications, agents, my drafts, diff', () => {
  let zhida: TestServer;
  let editor: StaffSession;
  let editor2: StaffSession;
  let reviewer: StaffSession;
  let agent: StaffSession;

  beforeAll(async () => {
    zhida = await startTestServer({ ZHIDA_MODEL: 'none' });
    [editor, editor2, reviewer, agent] = [
      await createStaff(zhida, 'editor', '编辑 甲'),
      await createStaff(zhida, 'editor', '编辑 乙'),
      await createStaff(zhida, 'reviewer', '审核 丙'),
      await createStaff(zhida, 'agent', '坐席 丁'),
    ];
  });
  afterAll(async () => zhida?.stop());

  const call = async (who: StaffSession, method: string, path: string, json?: unknown) => {
    const res = await who.api(`/api/v1${path}`, { method, json });
    const body = res.status === 204 ? null : await res.json();
    return { status: res.status, body: body as Json };
  };
  const create = async (title: string, extra: Json = {}) => {
    const r = await call(editor, 'POST', '/answers', { title, bodyMarkdown: '请拨打 **95588** 挂失。', tags: ['挂失', '借记卡'], ...extra });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
    return r.body as { id: string; etag: string };
  };

  it('ZHIDA_MODEL=none: keyword search on purpose, the model state says disabled (no warning to show)', async () => {
    const status = await call(editor, 'GET', '/index/status');
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ model: { id: 'none', state: 'disabled' }, searchMode: 'keyword' });
    expect(status.body.model.reason).toBeUndefined();
  });

  it('the author withdraws a submission (audited); a colleague cannot; withdrawn is a draft again', async () => {
    const c = await create('借记卡丢了怎么挂失？');
    const s = await call(editor, 'POST', `/answers/${c.id}/submit`, { etag: c.etag });
    expect(s.status).toBe(200);
    const other = await call(editor2, 'POST', `/answers/${c.id}/withdraw`, { etag: s.body.etag });
    expect(other.status).toBe(403);
    const w = await call(editor, 'POST', `/answers/${c.id}/withdraw`, { etag: s.body.etag });
    expect(w.status, JSON.stringify(w.body)).toBe(200);
    expect(w.body.version).toMatchObject({ number: 1, status: 'draft' });
    const again = await call(editor, 'POST', `/answers/${c.id}/withdraw`, { etag: w.body.etag });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('invalid_transition');
    const audit = await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.entityId, c.id));
    expect(audit.map((a) => a.action)).toContain('answer.withdrawn');
  });

  it('a rejection reaches the author in the bell with the reason; the reviewer sees what waits for them', async () => {
    const c = await create('信用卡境外消费手续费是多少？');
    const s = await call(editor, 'POST', `/answers/${c.id}/submit`, { etag: c.etag });
    const waiting = await call(reviewer, 'GET', '/notifications');
    expect(waiting.body.reviews).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'awaiting_review', answerId: c.id, by: '编辑 甲' })]));
    // The author is not asked to review their own submission.
    expect((await call(editor, 'GET', '/notifications')).body.reviews.filter((n: Json) => n.kind === 'awaiting_review')).toEqual([]);
    const r = await call(reviewer, 'POST', `/answers/${c.id}/reject`, { etag: s.body.etag, comment: '请补充外币卡的收费标准' });
    expect(r.status).toBe(200);
    const bell = await call(editor, 'GET', '/notifications');
    expect(bell.body.reviews).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'rejected', answerId: c.id, by: '审核 丙', comment: '请补充外币卡的收费标准', version: 1 })]));
    expect((await call(editor2, 'GET', '/notifications')).body.reviews).toEqual([]);
  });

  it('archive keeps the reason in the audit log', async () => {
    const c = await create('存折挂失后多久能补办？');
    const s = await call(editor, 'POST', `/answers/${c.id}/submit`, { etag: c.etag });
    const a = await call(reviewer, 'POST', `/answers/${c.id}/approve`, { etag: s.body.etag });
    const ar = await call(reviewer, 'POST', `/answers/${c.id}/archive`, { etag: a.body.etag, reason: '业务已下线' });
    expect(ar.status, JSON.stringify(ar.body)).toBe(200);
    const audit = await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.entityId, c.id));
    expect(audit.find((x) => x.action === 'answer.archived')?.details).toEqual({ reason: '业务已下线' });
  });

  it('agents list and open live answers only; "my drafts" lists unfinished work only', async () => {
    const live = await create('网银盾丢了怎么办？');
    const s = await call(editor, 'POST', `/answers/${live.id}/submit`, { etag: live.etag });
    const a = await call(reviewer, 'POST', `/answers/${live.id}/approve`, { etag: s.body.etag });
    // A new draft on top of the live version: agents still see the live title.
    const d = await call(editor, 'PATCH', `/answers/${live.id}/draft`, { etag: a.body.etag, title: '网银盾（U盾）丢了怎么办？' });
    expect(d.status).toBe(200);
    const draftOnly = await create('测试草稿：不要给坐席看');

    const agentList = await call(agent, 'GET', '/answers?pageSize=100');
    expect(agentList.status).toBe(200);
    const titles = agentList.body.items.map((i: Json) => i.title);
    expect(titles).toContain('网银盾丢了怎么办？');
    expect(titles).not.toContain('网银盾（U盾）丢了怎么办？');
    expect(titles).not.toContain('测试草稿：不要给坐席看');
    expect(titles).not.toContain('存折挂失后多久能补办？'); // archived
    expect(agentList.body.items.every((i: Json) => i.workingStatus === null && i.status === 'published')).toBe(true);
    expect((await call(agent, 'GET', `/answers/${draftOnly.id}`)).status).toBe(404);
    const seen = await call(agent, 'GET', `/answers/${live.id}`);
    expect(seen.body.working).toBeNull();
    expect(seen.body.versions.map((v: Json) => v.status)).toEqual(['published']);
    expect((await call(agent, 'GET', `/answers/${live.id}/versions`)).body.items).toHaveLength(1);
    expect((await call(agent, 'GET', `/answers/${live.id}/diff?from=1&to=2`)).status).toBe(404);
    // Staff still see the draft.
    expect((await call(editor, 'GET', `/answers/${live.id}`)).body.working.title).toBe('网银盾（U盾）丢了怎么办？');

    const mine = await call(editor, 'GET', '/answers?mine=1&pageSize=100');
    const mineStatuses = mine.body.items.map((i: Json) => i.status);
    expect(mineStatuses.length).toBeGreaterThan(0);
    expect(mineStatuses.every((st: string) => ['draft', 'in_review', 'rejected'].includes(st))).toBe(true);
    expect(mine.body.items.map((i: Json) => i.title)).not.toContain('存折挂失后多久能补办？');
  });

  it('the diff lists tag changes item by item, carries the formatted body and the version lists its contributors', async () => {
    const c = await create('借记卡年费怎么收？', { tags: ['年费', '借记卡'] });
    const s = await call(editor, 'POST', `/answers/${c.id}/submit`, { etag: c.etag });
    const a = await call(reviewer, 'POST', `/answers/${c.id}/approve`, { etag: s.body.etag });
    const d = await call(editor2, 'PATCH', `/answers/${c.id}/draft`, { etag: a.body.etag, tags: ['年费', '借记卡', '减免'], bodyMarkdown: '请拨打 **95588** 咨询。' });
    expect(d.status).toBe(200);
    const diff = await call(reviewer, 'GET', `/answers/${c.id}/diff?from=1&to=2`);
    expect(diff.status).toBe(200);
    expect(diff.body.fields.find((f: Json) => f.field === 'tags')).toMatchObject({ changed: true, added: ['减免'], removed: [] });
    expect(diff.body.bodyHtml).toContain('<strong>95588</strong>');
    expect(diff.body.bodyHtml).toMatch(/<del>挂失<\/del>|<ins>咨询<\/ins>/);
    const answer = await call(reviewer, 'GET', `/answers/${c.id}`);
    expect(answer.body.working.contributorIds).toContain(editor2.userId);
  });

  it('a gap can be dismissed or marked out of scope (audited) and restored', async () => {
    for (const query of ['怎么买彩票中大奖', '怎么买彩票中大奖', '今天天气怎么样']) {
      expect((await zhida.api('/api/v1/search', { method: 'POST', json: { query } })).status).toBe(200);
    }
    const gaps = async (dismissed = false) => (await call(reviewer, 'GET', `/analytics/gaps?days=7${dismissed ? '&dismissed=1' : ''}`)).body.items as Json[];
    expect((await gaps()).map((g) => g.query)).toContain('怎么买彩票中大奖');
    expect((await call(editor, 'POST', '/analytics/gaps/dismiss', { queries: ['怎么买彩票中大奖'], kind: 'out_of_scope' })).status).toBe(403);
    const d = await call(reviewer, 'POST', '/analytics/gaps/dismiss', { queries: ['怎么买彩票中大奖'], kind: 'out_of_scope' });
    expect(d.status, JSON.stringify(d.body)).toBe(200);
    expect(d.body).toEqual({ dismissed: 1 });
    expect((await gaps()).map((g) => g.query)).not.toContain('怎么买彩票中大奖');
    expect((await gaps()).map((g) => g.query)).toContain('今天天气怎么样');
    expect(await gaps(true)).toEqual([expect.objectContaining({ query: '怎么买彩票中大奖', dismissed: 'out_of_scope' })]);
    const r = await call(reviewer, 'POST', '/analytics/gaps/restore', { queries: ['怎么买彩票中大奖'] });
    expect(r.body).toEqual({ restored: 1 });
    expect((await gaps()).map((g) => g.query)).toContain('怎么买彩票中大奖');
    const audit = await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.entityType, 'gap'));
    expect(audit.map((a) => a.action)).toEqual(['gap.dismissed', 'gap.restored']);
    expect(audit[0]!.details).toEqual({ kind: 'out_of_scope', queries: ['怎么买彩票中大奖'] });
  });
});
