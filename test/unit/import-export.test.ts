import { request } from 'node:http';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAnswers } from '../../src/answers/import.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { verifyAuditChain } from '../../src/audit/record.ts';
import { auditLog, answers, answerVersions } from '../../src/db/schema/index.ts';
import { approveImportBatch, createStaff, type StaffSession } from '../helpers/staff.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.ts';

type Json = Record<string, any>;
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const records: { externalId: string; title: string; similarQuestions: string[]; body: string; category: string; tags: string[]; channels: string[]; botText?: string }[] = [
  { externalId: 'imp-001', title: '如何开通网上银行？', similarQuestions: ['网银怎么开通', '开通网银'], body: '携带身份证到任一网点办理，或在手机银行在线开通。', category: '电子银行/网银', tags: ['网银'], channels: ['bot', 'agent', 'web'] },
  { externalId: 'imp-002', title: 'How do I reset my PIN?', similarQuestions: ['forgot my PIN', 'change card PIN'], body: '<p>Use the <b>mobile app</b>: Cards &gt; PIN.</p>', category: 'Cards/PIN', tags: ['pin'], channels: ['bot'] },
  { externalId: 'imp-003', title: '转账限额是多少？', similarQuestions: [], body: '', category: '转账汇款', tags: [], channels: ['agent'], botText: '手机银行单日转账限额50万元。' },
];

describe('importAnswers (domain, real PGlite)', () => {
  it('is idempotent by externalId, versions changed content, reports bad records per line', async () => {
    const { db, close } = await createTestDatabase();
    try {
      const actor = { kind: 'master' as const };
      const first = await importAnswers(db, records, { publish: true, actor });
      expect(first).toEqual({ created: 3, updated: 0, unchanged: 0, errors: [], errorCount: 0 });
      const again = await importAnswers(db, records, { publish: true, actor });
      expect(again).toEqual({ created: 0, updated: 0, unchanged: 3, errors: [], errorCount: 0 });
      // Key order and whitespace do not matter; changed content becomes version 2.
      const changed = [{ ...records[0], title: '如何开通网上银行（新）？' }, { ...records[1]! }, records[2]];
      const third = await importAnswers(db, [...changed, { title: 'no id' }, { externalId: 'imp-002', title: 'dup' }], { publish: true, actor });
      expect(third.created + third.updated + third.unchanged).toBe(3);
      expect(third).toMatchObject({ created: 0, updated: 1, unchanged: 2 });
      expect(third.errors.map((e) => e.line)).toEqual([4, 5]);
      expect(third.errors[0]!.message).toMatch(/externalId/);
      expect(third.errors[1]!.message).toMatch(/line 2/);
      const [a] = await db.select().from(answers).where(eq(answers.externalId, 'imp-001'));
      const versions = await db.select().from(answerVersions).where(eq(answerVersions.answerId, a!.id));
      expect(versions.map((v) => [v.number, v.status]).sort()).toEqual([
        [1, 'superseded'],
        [2, 'published'],
      ]);
      // Categories were created with their ancestors; bot text kept, else derived.
      const cats = rowsOf<{ path: string }>(await db.execute(sql`select path from categories order by path`)).map((r) => r.path);
      expect(cats).toEqual(expect.arrayContaining(['电子银行', '电子银行/网银', 'Cards', 'Cards/PIN', '转账汇款']));
      const [pin] = await db.select().from(answerVersions).innerJoin(answers, eq(answers.id, answerVersions.answerId)).where(eq(answers.externalId, 'imp-002'));
      expect(pin!.answer_versions).toMatchObject({ bodyHtml: '<p>Use the <strong>mobile app</strong>: Cards &gt; PIN.</p>', botTextDerived: 1, authorId: null });
      // Audit: one bulk entry per import and one entry per created/updated answer, chain intact.
      const audit = await db.select().from(auditLog);
      expect(audit.filter((r) => r.action === 'answers.bulk_published')).toHaveLength(3);
      expect(audit.filter((r) => r.action === 'answer.imported')).toHaveLength(4);
      expect(audit.find((r) => r.action === 'answer.imported')!.details).toMatchObject({ bulk: true, change: 'created', status: 'published' });
      expect((await verifyAuditChain(db)).ok).toBe(true);
      // publish=false: a draft on top of the published version, overwritten in place on re-import.
      const draft = await importAnswers(db, [{ ...records[2], title: '转账限额（草稿）' }], { publish: false, actor });
      expect(draft).toMatchObject({ updated: 1 });
      const draft2 = await importAnswers(db, [{ ...records[2], title: '转账限额（草稿2）' }], { publish: false, actor });
      expect(draft2).toMatchObject({ updated: 1 });
      const [t] = await db.select().from(answers).where(eq(answers.externalId, 'imp-003'));
      const tv = await db.select().from(answerVersions).where(eq(answerVersions.answerId, t!.id));
      expect(tv.map((v) => [v.number, v.status, v.title]).sort()).toEqual([
        [1, 'published', '转账限额是多少？'],
        [2, 'draft', '转账限额（草稿2）'],
      ]);
    } finally {
      await close();
    }
  }, 180_000);
});

/** POSTs with node:http and reads the response even if the server stops reading the body early. */
function postRaw(url: string, token: string, type: string, body: Uint8Array): Promise<{ status: number; body: Json }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': type, 'content-length': body.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', (err) => ((err as NodeJS.ErrnoException).code === 'EPIPE' || (err as NodeJS.ErrnoException).code === 'ECONNRESET' ? undefined : reject(err)));
    req.end(body);
  });
}

describe('import and export over HTTP', () => {
  let zhida: TestServer;
  let editor: StaffSession;
  let reviewer: StaffSession;
  beforeAll(async () => {
    zhida = await startTestServer({ ZHIDA_MAX_BODY_BYTES: String(256 * 1024) });
    [editor, reviewer] = await Promise.all([createStaff(zhida, 'editor'), createStaff(zhida, 'reviewer')]);
  });
  afterAll(async () => zhida?.stop());

  const post = async (body: BodyInit, type: string, qs = '?publish=true', who?: StaffSession) => {
    const init = { method: 'POST', body, headers: { 'content-type': type } };
    const res = who ? await who.api(`/api/v1/import${qs}`, init) : await zhida.api(`/api/v1/import${qs}`, init);
    const out = (await res.json()) as Json;
    // publish=true stages an import batch; a second reviewer publishes it (governance tests cover the batch itself).
    if (res.status === 200 && 'batchId' in out && !who) {
      await approveImportBatch(zhida, out.batchId);
      delete out.batchId;
      delete out.status;
    }
    return { status: res.status, body: out };
  };
  const ndjson = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
  const csv = (rows: typeof records) =>
    Papa.unparse(
      rows.map((r) => ({ ...r, similarQuestions: r.similarQuestions.join('|'), tags: r.tags.join('|'), channels: r.channels.join('|') })),
      { columns: ['externalId', 'title', 'similarQuestions', 'body', 'category', 'tags', 'channels', 'botText'] },
    );
  const xlsx = async (rows: typeof records) => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('first');
    ws.addRow(['externalId', 'title', 'similarQuestions', 'body', 'category', 'tags', 'channels', 'botText']);
    for (const r of rows) ws.addRow([r.externalId, r.title, r.similarQuestions.join('\n'), r.body, r.category, r.tags.join('|'), r.channels.join(','), r.botText ?? null]);
    wb.addWorksheet('ignored').addRow(['nothing']);
    return new Uint8Array(await wb.xlsx.writeBuffer());
  };

  it('imports NDJSON, CSV and XLSX idempotently (same content in any format is unchanged)', async () => {
    const nd = await post(ndjson(records), 'application/x-ndjson');
    expect(nd).toEqual({ status: 200, body: { created: 3, updated: 0, unchanged: 0, errors: [], errorCount: 0 } });
    expect((await post(ndjson(records), 'application/x-ndjson')).body).toMatchObject({ unchanged: 3 });
    expect((await post(csv(records), 'text/csv; charset=utf-8')).body).toEqual({ created: 0, updated: 0, unchanged: 3, errors: [], errorCount: 0 });
    expect((await post(await xlsx(records), XLSX)).body).toEqual({ created: 0, updated: 0, unchanged: 3, errors: [], errorCount: 0 });
    // A change in the spreadsheet becomes a new version; new rows are created.
    const edited = [{ ...records[1]!, title: 'How can I reset my PIN?' }, { ...records[0]!, externalId: 'imp-xlsx-new' }];
    expect((await post(await xlsx(edited), XLSX)).body).toEqual({ created: 1, updated: 1, unchanged: 0, errors: [], errorCount: 0 });
    expect((await post(csv([{ ...records[2]!, similarQuestions: ['限额多少'] }]), 'text/csv')).body).toMatchObject({ updated: 1 });
    const list = await (await zhida.api('/api/v1/answers?q=imp-xlsx-new')).json();
    expect(list.items[0]).toMatchObject({ title: '如何开通网上银行？', status: 'published', liveNumber: 1 });
  });

  it('reports malformed NDJSON lines per line and imports the good ones', async () => {
    const body = [
      JSON.stringify({ externalId: 'bad-1', title: '好的一行', body: '内容' }),
      '{"externalId": "bad-2", "title": ',
      '',
      '[1,2]',
      JSON.stringify({ externalId: 'bad-3', title: '', body: 'x' }),
      JSON.stringify({ externalId: 'bad-4', title: 'unknown field', colour: 'red' }),
      JSON.stringify({ externalId: 'bad-5', title: '另一行好的', channels: ['bot'] }),
    ].join('\n');
    const res = await post(body, 'application/x-ndjson');
    expect(res.status).toBe(200);
    expect(res.body.created).toBe(2);
    expect(res.body.errors.map((e: Json) => e.line)).toEqual([2, 4, 5, 6]);
    expect(res.body.errors[0].message).toMatch(/Malformed JSON/);
    expect(res.body.errors[3].message).toMatch(/colour/);
  });

  it('sanitises imported HTML', async () => {
    const res = await post(ndjson([{ externalId: 'xss-1', title: 'XSS', body: '<p>正文<img src=x onerror=alert(1)><script>alert(2)</script><a href="javascript:alert(3)">x</a></p>' }]), 'application/x-ndjson');
    expect(res.body.created).toBe(1);
    const id = (await (await zhida.api('/api/v1/answers?q=xss-1')).json()).items[0].id;
    const a = await (await zhida.api(`/api/v1/answers/${id}`)).json();
    expect(a.live.bodyHtml).toContain('正文');
    expect(a.live.bodyHtml).not.toMatch(/script|onerror|javascript:|alert/);
  });

  it('rejects invalid UTF-8 (400), other content types (415), oversized bodies (413) and bad headers, changing nothing', async () => {
    const before = rowsOf<{ n: number }>(await zhida.ctx.db.execute(sql`select count(*)::int as n from answer_versions`))[0]!.n;
    const latin1 = new Uint8Array([...new TextEncoder().encode('{"externalId":"u1","title":"'), 0xc4, 0xe3, 0xba, 0xc3, ...new TextEncoder().encode('"}\n')]);
    const bad = await post(latin1, 'application/x-ndjson');
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid_utf8');
    expect((await post('{"a":1}', 'application/json')).status).toBe(415);
    expect((await post('x', 'text/plain')).status).toBe(415);
    const huge = await postRaw(new URL('/api/v1/import', zhida.url).href, TEST_ADMIN_TOKEN, 'application/x-ndjson', new TextEncoder().encode(ndjson([{ externalId: 'big', title: 'big', body: 'x'.repeat(300 * 1024) }])));
    expect(huge.status).toBe(413);
    expect(huge.body.error.code).toBe('payload_too_large');
    const header = await post('id,title\n1,x\n', 'text/csv');
    expect(header.status).toBe(400);
    expect(header.body.error.details).toMatchObject({ unknown: ['id'], missing: ['externalId'] });
    expect((await post(new Uint8Array([1, 2, 3]), XLSX)).body.error.code).toBe('invalid_file');
    expect((await post('x', 'application/x-ndjson', '?publish=maybe')).status).toBe(400);
    const after = rowsOf<{ n: number }>(await zhida.ctx.db.execute(sql`select count(*)::int as n from answer_versions`))[0]!.n;
    expect(after).toBe(before);
  });

  it('publish=true needs a reviewer or admin; editors import drafts', async () => {
    const denied = await post(ndjson([{ externalId: 'ed-1', title: '编辑导入' }]), 'application/x-ndjson', '?publish=true', editor);
    expect(denied.status).toBe(403);
    const draft = await post(ndjson([{ externalId: 'ed-1', title: '编辑导入' }]), 'application/x-ndjson', '?publish=false', editor);
    expect(draft.body).toMatchObject({ created: 1 });
    const item = (await (await zhida.api('/api/v1/answers?q=ed-1')).json()).items[0];
    expect(item).toMatchObject({ status: 'draft', liveNumber: null, workingStatus: 'draft', owner: { id: editor.userId } });
    const staged = await post(ndjson([{ externalId: 'rv-1', title: '审核员导入' }]), 'application/x-ndjson', '?publish=true', reviewer);
    expect(staged.body).toMatchObject({ created: 1, status: 'pending_approval', batchId: expect.any(String) });
    const bulk = await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'import_batch.staged'));
    expect(bulk.at(-1)!.details).toMatchObject({ bulk: true, stage: true, created: 1, source: 'api:ndjson' });
    expect(bulk.at(-1)!.actorId).toBe(reviewer.userId);
  });

  it('exports ndjson, csv and xlsx with Content-Disposition, and an export re-imports unchanged', async () => {
    for (const format of ['ndjson', 'csv', 'xlsx'] as const) {
      const res = await zhida.api(`/api/v1/export?format=${format}&status=published`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toMatch(new RegExp(`attachment; filename="zhida-answers-published-.*\\.${format}"`));
      const bytes = new Uint8Array(await res.arrayBuffer());
      const type = format === 'ndjson' ? 'application/x-ndjson' : format === 'csv' ? 'text/csv' : XLSX;
      const again = await post(bytes, type);
      expect(again.status).toBe(200);
      expect(again.body.errors).toEqual([]);
      expect(again.body.created + again.body.updated).toBe(0);
      expect(again.body.unchanged).toBeGreaterThanOrEqual(6);
    }
    const lines = (await (await zhida.api('/api/v1/export?format=ndjson&status=all')).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.find((l) => l.externalId === 'ed-1')).toMatchObject({ title: '编辑导入' });
    const published = (await (await zhida.api('/api/v1/export')).text()).trim().split('\n').map((l) => JSON.parse(l));
    expect(published.find((l) => l.externalId === 'ed-1')).toBeUndefined();
    expect(published.find((l) => l.externalId === 'imp-003')).toMatchObject({ botText: '手机银行单日转账限额50万元。', channels: ['agent'] });
    expect((await zhida.api('/api/v1/export?format=pdf')).status).toBe(400);
  });
});
