import { and, asc, eq, or, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { botSessions, botTurns, type Channel } from '../db/schema/index.ts';
import { notFound } from '../errors.ts';
import { decideTurn, DEFAULT_HANDOFF_THRESHOLD, type HandoffReason } from './handoff.ts';
import { embeddingVectorLeg } from './embedding-vector-leg.ts';
import { analyseQuery, searchAnswers, type SearchResult } from './search-answers.ts';
import type { Caller } from './search-log.ts';
import { sessionOwner } from './bot-session-owner.ts';
import { maskPersonalData } from '../privacy/mask.ts';
import type { SearchDeps } from './run-search.ts';

export interface BotRequest {
  query: string;
  sessionId?: string;
  channel?: Channel;
}

export interface BotAnswer {
  answerId: string;
  externalId: string | null;
  title: string;
  /** The bot variant of the answer. */
  text: string;
  version: number;
  matchedQuestion?: string;
}

export interface BotAlternative {
  answerId: string;
  title: string;
  confidence: number;
}

export interface BotReply {
  sessionId: string;
  searchId: string;
  answer: BotAnswer | null;
  confidence: number;
  handoff: boolean;
  reason: HandoffReason | null;
  alternatives: BotAlternative[];
  /** At hand-off: the whole conversation, for the agent who takes over. */
  transcript?: { role: 'customer' | 'bot'; text: string; at: string }[];
}

// What the bot says when it hands off; the agent sees the transcript, the customer this.
const HANDOFF_TEXT: Record<HandoffReason, string> = {
  customer_request: '好的，正在为您转接人工客服，请稍候。',
  low_confidence: '这个问题我暂时无法准确回答，正在为您转接人工客服。',
  no_answer: '这个问题我暂时无法回答，正在为您转接人工客服。',
  repeated_unsure: '看来我没能解决您的问题，正在为您转接人工客服。',
};

/**
 * The caller's session named `sessionId` (the server's id, or the client's own id for it), or a new
 * one. Sessions are bound to their owner (bot-session-owner.ts): another caller's id opens a new,
 * separate conversation in the caller's own namespace, never theirs. New sessions get a random
 * server id, which the reply returns and which the client should use from then on.
 */
async function openSession(db: Db, req: BotRequest, caller: Caller) {
  const owner = sessionOwner(caller);
  const mine = (sid: string) =>
    db
      .select()
      .from(botSessions)
      .where(and(eq(botSessions.owner, owner), or(eq(botSessions.id, sid), eq(botSessions.clientId, sid))))
      .limit(1);
  if (req.sessionId) {
    const [s] = await mine(req.sessionId);
    if (s) return s;
  }
  const [s] = await db
    .insert(botSessions)
    .values({ owner, clientId: req.sessionId ?? null, channel: req.channel ?? 'bot', apiKeyId: caller.apiKeyId ?? null, userId: caller.userId ?? null })
    .onConflictDoNothing()
    .returning();
  if (s) return s;
  // Two first turns of the same client session raced; the other one created it.
  const [existing] = await mine(req.sessionId!);
  if (!existing) throw notFound('Bot session');
  return existing;
}

/**
 * One chatbot turn: search live answers for the bot channel, decide answer or hand-off
 * (handoff.ts), keep both turns in the session's transcript, log the search.
 */
export async function answerForBot(deps: SearchDeps & { handoffThreshold?: number }, req: BotRequest, caller: Caller): Promise<BotReply> {
  const started = performance.now();
  const db = deps.db;
  const session = await openSession(db, req, caller);
  const channel = req.channel ?? (session.channel as Channel | null) ?? 'bot';
  const response = await searchAnswers(db, { query: req.query, limit: 4, filters: { channel } }, { vector: embeddingVectorLeg(deps.embedding) });
  const top: SearchResult | undefined = response.results[0];
  const decision = decideTurn({
    query: req.query,
    topConfidence: top ? top.confidence : null,
    threshold: deps.handoffThreshold ?? DEFAULT_HANDOFF_THRESHOLD,
    unsureTurnsBefore: session.unconfidentTurns,
  });
  const answer: BotAnswer | null =
    decision.answer && top
      ? { answerId: top.answerId, externalId: top.externalId, title: top.title, text: top.text, version: top.version, ...(top.matchedQuestion ? { matchedQuestion: top.matchedQuestion } : {}) }
      : null;
  const alternatives = response.results.slice(answer ? 1 : 0, (answer ? 1 : 0) + 3).map((r) => ({ answerId: r.answerId, title: r.title, confidence: r.confidence }));
  const botText = decision.handoff && decision.reason ? (answer ? `${answer.text}\n${HANDOFF_TEXT[decision.reason]}` : HANDOFF_TEXT[decision.reason]) : (answer?.text ?? '');

  const searchId = deps.searchLog.record({
    source: 'bot',
    query: req.query,
    normalised: analyseQuery(req.query).normalised,
    response,
    latencyMs: performance.now() - started,
    channel,
    caller,
    sessionId: session.id,
    handoff: decision.handoff,
  });
  await db.transaction(async (tx) => {
    await tx.insert(botTurns).values([
      // The transcript keeps what the customer typed with personal numbers masked (src/privacy/mask.ts).
      { sessionId: session.id, role: 'customer', text: maskPersonalData(req.query), searchId },
      { sessionId: session.id, role: 'bot', text: botText, answerId: answer?.answerId ?? null, confidence: top?.confidence ?? 0, searchId },
    ]);
    await tx
      .update(botSessions)
      .set({
        unconfidentTurns: decision.unsureTurns,
        updatedAt: new Date(),
        ...(decision.handoff ? { handedOffAt: sql`coalesce(${botSessions.handedOffAt}, now())`, handoffReason: decision.reason } : {}),
      })
      .where(and(eq(botSessions.id, session.id)));
  });
  const reply: BotReply = {
    sessionId: session.id,
    searchId,
    answer,
    confidence: top?.confidence ?? 0,
    handoff: decision.handoff,
    reason: decision.reason,
    alternatives,
  };
  if (decision.handoff) {
    const turns = await db.select().from(botTurns).where(eq(botTurns.sessionId, session.id)).orderBy(asc(botTurns.id));
    reply.transcript = turns.map((t) => ({ role: t.role, text: t.text, at: t.at.toISOString() }));
  }
  return reply;
}
