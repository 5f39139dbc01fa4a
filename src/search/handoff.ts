import { normaliseText } from './normalise.ts';

/**
 * When the bot hands the customer to a person. Pure rules; bot-answer.ts applies them per turn.
 */

/**
 * Default confidence below which the bot does not answer and hands off. Chosen on CLINC150's 1000
 * out-of-scope test queries vs its 900 in-scope banking/credit-card queries with
 * `npm run eval -- ../shared/datasets --fit`: the lowest threshold that hands off at least 85% of
 * the out-of-scope queries (a margin over the 80% goal); it hands off 85.4% of them and 15.7% of
 * the in-scope ones. Override with ZHIDA_HANDOFF_THRESHOLD.
 */
export const DEFAULT_HANDOFF_THRESHOLD = 0.35;

/** Above the threshold but by less than this, an answer is given but counts as unsure. */
export const UNSURE_BAND = 0.15;

/** Consecutive unsure (or unanswered) turns after which the customer goes to a person. */
export const MAX_UNSURE_TURNS = 3;

// A request for a person, in Chinese or English. Whole words for English so "agentic" or
// "humanity" do not trigger it.
const HUMAN_REQUEST =
  /转人工|人工客服|人工服务|人工坐席|找客服|找人工|接人工|真人|客服人员|\b(?:human|humans|agent|representative|operator|real person|live person|someone real|talk to (?:a |an )?person|speak to (?:a |an )?person)\b/iu;

export function asksForHuman(text: string): boolean {
  return HUMAN_REQUEST.test(normaliseText(text));
}

export type HandoffReason = 'customer_request' | 'low_confidence' | 'no_answer' | 'repeated_unsure';

export interface TurnDecision {
  /** Give the top answer to the customer. */
  answer: boolean;
  handoff: boolean;
  reason: HandoffReason | null;
  /** The session's consecutive unsure-turn count after this turn. */
  unsureTurns: number;
}

/**
 * One bot turn: a request for a person hands off at once; no result or confidence below the
 * threshold hands off with no answer; a confident answer resets the unsure count; an answer just
 * above the threshold is given but counts as unsure, and MAX_UNSURE_TURNS unsure turns in a row
 * hand off.
 */
export function decideTurn(input: { query: string; topConfidence: number | null; threshold: number; unsureTurnsBefore: number; maxUnsureTurns?: number }): TurnDecision {
  const max = input.maxUnsureTurns ?? MAX_UNSURE_TURNS;
  if (asksForHuman(input.query)) return { answer: false, handoff: true, reason: 'customer_request', unsureTurns: 0 };
  if (input.topConfidence === null) return { answer: false, handoff: true, reason: 'no_answer', unsureTurns: input.unsureTurnsBefore + 1 };
  if (input.topConfidence < input.threshold) return { answer: false, handoff: true, reason: 'low_confidence', unsureTurns: input.unsureTurnsBefore + 1 };
  if (input.topConfidence < input.threshold + UNSURE_BAND) {
    const unsureTurns = input.unsureTurnsBefore + 1;
    if (unsureTurns >= max) return { answer: true, handoff: true, reason: 'repeated_unsure', unsureTurns };
    return { answer: true, handoff: false, reason: null, unsureTurns };
  }
  return { answer: true, handoff: false, reason: null, unsureTurns: 0 };
}
