import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { iso, num, queryRows } from '../db/rows.ts';

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
 * Null when there is no such session.
 */
export async function botTranscript(db: Db, sessionId: string): Promise<BotTranscript | null> {
  const [session] = await queryRows<{ id: string; channel: string | null; created_at: unknown; handed_off_at: unknown; handoff_reason: string | null }>(
    db,
    sql`select id, channel, created_at, handed_off_at, handoff_reason from bot_sessions where id = ${sessionId}::uuid`,
  );
  if (!session) return null;
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
