import { desc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditLog, botSessions } from '../../src/db/schema/index.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { createStaff, type StaffSession } from '../helpers/staff.ts';

type Json = Record<string, any>;

/** Issue 11 item 5: a chat session belongs to the caller that opened it. */
describe('bot sessions bound to their caller', () => {
  let zhida: TestServer;
  let owner: StaffSession;
  let keyA: string;
  let keyB: string;
  let agent: StaffSession;

  beforeAll(async () => {
    zhida = await startTestServer();
    [owner, agent] = await Promise.all([createStaff(zhida, 'agent', 'bot service'), createStaff(zhida, 'agent', '坐席 甲')]);
    const mint = async (name: string) => ((await (await owner.api('/api/v1/api-keys', { method: 'POST', json: { name, scopes: ['bot', 'assist'] } })).json()) as Json).secret as string;
    keyA = await mint('bank A web chat');
    keyB = await mint('bank B app chat');
  });
  afterAll(async () => zhida?.stop());

  const ask = async (token: string, json: Json) => {
    const res = await zhida.api('/api/v1/bot/answer', { method: 'POST', json, token });
    return { status: res.status, body: (await res.json()) as Json };
  };

  it('another key cannot continue or read a session, by its server id or by the client id', async () => {
    const clientId = crypto.randomUUID();
    const a1 = await ask(keyA, { query: '我的卡号是 6222 0212 3456 7890 123，丢了', sessionId: clientId });
    expect(a1.status).toBe(200);
    const serverId = a1.body.sessionId as string;
    expect(serverId).not.toBe(clientId);

    // Key B sends A's ids: it gets its own, new conversation each time; A's turns never show.
    for (const sid of [serverId, clientId]) {
      const b = await ask(keyB, { query: '转人工', sessionId: sid });
      expect(b.status).toBe(200);
      expect(b.body.sessionId).not.toBe(serverId);
      expect(b.body.handoff).toBe(true);
      expect(b.body.transcript.map((t: Json) => t.text).join('\n')).not.toContain('丢了');
    }
    // Reading A's transcript with key B: 404, as if it did not exist — and audited.
    expect((await zhida.api(`/api/v1/bot/sessions/${serverId}`, { token: keyB })).status).toBe(404);
    const [refusal] = await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'security.refused')).orderBy(desc(auditLog.id)).limit(1);
    expect(refusal!.details).toMatchObject({ status: 404, path: `/api/v1/bot/sessions/${serverId}` });
    // A reads its own session by either id.
    expect((await zhida.api(`/api/v1/bot/sessions/${serverId}`, { token: keyA })).status).toBe(200);
    expect((await zhida.api(`/api/v1/bot/sessions/${clientId}`, { token: keyA })).status).toBe(200);
    // A continues its own session and the hand-off transcript is A's alone.
    const a2 = await ask(keyA, { query: '转人工', sessionId: clientId });
    expect(a2.body.sessionId).toBe(serverId);
    expect(a2.body.transcript).toHaveLength(4);
    const [row] = await zhida.ctx.db.select().from(botSessions).where(eq(botSessions.id, serverId));
    expect(row!.owner).toMatch(/^key:/);
  });

  it('after a hand-off, a signed-in agent reads the transcript (audited); before it, nobody else', async () => {
    const a1 = await ask(keyA, { query: '信用卡年费' });
    const sid = a1.body.sessionId as string;
    if (!a1.body.handoff) expect((await agent.api(`/api/v1/bot/sessions/${sid}`)).status).toBe(404);
    await ask(keyA, { query: '转人工', sessionId: sid });
    const read = await agent.api(`/api/v1/bot/sessions/${sid}`);
    expect(read.status).toBe(200);
    const audit = await zhida.ctx.db.select().from(auditLog).where(eq(auditLog.action, 'bot_session.transcript_read'));
    expect(audit.map((e) => e.entityId)).toContain(sid);
    // Another key still cannot, hand-off or not.
    expect((await zhida.api(`/api/v1/bot/sessions/${sid}`, { token: keyB })).status).toBe(404);
  });
});
