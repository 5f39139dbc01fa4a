import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { iso, num, queryRows } from '../db/rows.ts';
import { notFound, securityRefusal } from '../errors.ts';
import { mayReadTranscript, sessionOwner } from '../search/bot-session-owner.ts';
import type { Caller } from '../search/search-log.ts';

export interface TranscriptTurn {
  role: 'customer' | 'bot';
  text: string;
  at: string;
  answerId: string | null;
  confidence: number | null;
}

export interface BotTranscript {
  sessionId: string;
  channel: string | null;
  createdAt: string;
  handedOffAt: string | null;
  handoffReason: string | null;
  messages: TranscriptTurn[];
}

/**
 * A chatbot session as the agent receives it at hand-off: every customer and bot turn in order.
 * Null when there is no such session. With a caller, only the session's owner (or, after a hand-off,
 * a signed-in staff member) may read it; others get the same 404 as for a missing session (audited).
 */
export async function botTranscript(db: Db, sessionId: string, caller?: Caller & { staffSession?: boolean }): Promise<BotTranscript | null> {
  const [session] = await queryRows<{ id: string; owner: string | null; channel: string | null; created_at: unknown; handed_off_at: unknown; handoff_reason: string | null }>(
    db,
    caller
      ? sql`select id, owner, channel, created_at, handed_off_at, handoff_reason from bot_sessions
            where id = ${sessionId}::uuid or (owner = ${sessionOwner(caller)} and client_id = ${sessionId}::uuid)
            order by (id = ${sessionId}::uuid) desc limit 1`
      : sql`select id, owner, channel, created_at, handed_off_at, handoff_reason from bot_sessions where id = ${sessionId}::uuid`,
  );
  if (!session) return null;
  // Bound to its caller: to anyone else (but agents taking over a hand-off) the session does not exist.
  if (caller && !mayReadTranscript({ owner: session.owner, handedOffAt: session.handed_off_at as Date | null }, caller)) {
    throw securityRefusal(notFound('Bot session'));
  }
  const turns = await queryRows<{ role: 'customer' | 'bot'; text: string; at: unknown; answer_id: string | null; confidence: unknown }>(
    db,
    sql`select role, text, at, answer_id, confidence from bot_turns where session_id = ${sessionId}::uuid order by id`,
  );
  return {
    sessionId: session.id,
    channel: session.channel,
    createdAt: iso(session.created_at)!,
    handedOffAt: iso(session.handed_off_at),
    handoffReason: session.handoff_reason,
    messages: turns.map((t) => ({ role: t.role, text: t.text, at: iso(t.at)!, answerId: t.answer_id, confidence: t.confidence === null ? null : num(t.confidence) })),
  };
}
