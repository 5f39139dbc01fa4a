import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/rows.ts';
import { importAnswers } from '../../src/answers/import.ts';
import { maskExistingPersonalData } from '../../src/privacy/mask-existing.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createStaff } from '../helpers/staff.ts';

// A Luhn-valid card, a resident ID with a valid check character, a mobile number, an e-mail.
const CARD = '6222021234567890128';
const ID = '11010519491231002X';
const MOBILE = '13812345678';
const EMAIL = 'zhang.san@example.com';
const clear = [CARD, ID, MOBILE, EMAIL, '1234567890128', '0212 3456 7890'];

/** Issue 11 item 6: masked on the way in — checked by reading the database directly. */
describe('personal data never stored in clear', () => {
  let zhida: TestServer;
  let answerId: string;

  beforeAll(async () => {
    zhida = await startTestServer();
    await importAnswers(zhida.ctx.db, [{ externalId: 'lost-card', title: '信用卡丢了怎么办', similarQuestions: ['卡丢了'], body: '请立即挂失。' }], { publish: true, actor: { kind: 'master' } });
    answerId = rowsOf<{ id: string }>(await zhida.ctx.db.execute(sql`select id from answers where external_id = 'lost-card'`))[0]!.id;
  });
  afterAll(async () => zhida?.stop());

  /** Every stored customer text, from every table that keeps it. */
  const storedTexts = async () => {
    const db = zhida.ctx.db;
    await zhida.ctx.searchLog.flush();
    const log = rowsOf<{ query: string; normalised: string }>(await db.execute(sql`select query, normalised from search_log`));
    const turns = rowsOf<{ text: string }>(await db.execute(sql`select text from bot_turns`));
    const feedback = rowsOf<{ comment: string | null }>(await db.execute(sql`select comment from search_feedback`));
    return [...log.flatMap((r) => [r.query, r.normalised]), ...turns.map((r) => r.text), ...feedback.map((r) => r.comment ?? '')];
  };
  const noClearNumbers = (texts: string[]) => {
    const squashed = texts.map((t) => t.replace(/[\s-]/g, '').toLowerCase());
    for (const value of clear) for (const t of squashed) expect(t, t).not.toContain(value.replace(/[\s-]/g, '').toLowerCase());
  };

  it('masks what customers type into the bot, search, assist and feedback before it is stored', async () => {
    const bot = await zhida.api('/api/v1/bot/answer', { method: 'POST', json: { query: `我的信用卡 6222-0212-3456-7890-128 丢了，身份证 ${ID}` } });
    expect(bot.status).toBe(200);
    const { sessionId, searchId } = (await bot.json()) as { sessionId: string; searchId: string };
    await zhida.api('/api/v1/bot/answer', { method: 'POST', json: { query: `手机 +86 138 1234 5678 邮箱 ${EMAIL} 转人工`, sessionId } });
    expect((await zhida.api('/api/v1/search', { method: 'POST', json: { query: `卡号${CARD}挂失` } })).status).toBe(200);
    const assist = await zhida.api('/api/v1/assist/suggest', { method: 'POST', json: { messages: [{ role: 'customer', text: `卡丢了 卡号 ${CARD} 电话 ${MOBILE}` }] } });
    expect(assist.status).toBe(200);
    const fb = await zhida.api('/api/v1/feedback', { method: 'POST', json: { searchId, answerId, helpful: false, comment: `请回电 ${MOBILE}，卡号 ${CARD}` } });
    expect(fb.status).toBe(201);

    const texts = await storedTexts();
    expect(texts.join('\n')).toContain('6222');
    expect(texts.join('\n')).toContain('138****5678');
    noClearNumbers(texts);

    // What analytics shows is what was stored.
    const reviewer = await createStaff(zhida, 'reviewer');
    const gaps = await (await reviewer.api('/api/v1/analytics/gaps?format=csv')).text();
    const top = await (await reviewer.api('/api/v1/analytics/top-queries?format=csv')).text();
    noClearNumbers([gaps, top]);
    // The hand-off transcript too.
    const transcript = await (await zhida.api(`/api/v1/bot/sessions/${sessionId}`)).text();
    noClearNumbers([transcript]);
  });

  it('zhida privacy mask-existing masks rows stored before masking existed, once', async () => {
    const db = zhida.ctx.db;
    await db.execute(sql`insert into search_log (source, query, normalised, mode, result_ids, result_count, latency_ms) values ('bot', ${'旧记录 卡号 ' + CARD}, ${'旧记录卡号' + CARD}, 'keyword', '{}', 0, 1)`);
    const [s] = rowsOf<{ id: string }>(await db.execute(sql`insert into bot_sessions (owner) values ('master') returning id`));
    await db.execute(sql`insert into bot_turns (session_id, role, text) values (${s!.id}::uuid, 'customer', ${'身份证 ' + ID})`);
    await db.execute(sql`insert into search_feedback (answer_id, helpful, comment) values (${answerId}::uuid, false, ${'邮箱 ' + EMAIL})`);
    expect((await storedTexts()).join('\n')).toContain(CARD);

    expect(await maskExistingPersonalData(db)).toEqual({ searchLog: 1, botTurns: 1, feedback: 1 });
    noClearNumbers(await storedTexts());
    expect(await maskExistingPersonalData(db)).toEqual({ searchLog: 0, botTurns: 0, feedback: 0 });
  });
});
