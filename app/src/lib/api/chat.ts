import { api } from './client';

/**
 * The customer chat page's calls. A customer has no staff login: the page runs with a bot-scoped
 * key (?key= in the URL, kept in memory) or, for the demo, the signed-in staff member's session.
 */
let botKey: string | null = null;
export function useBotKey(key: string | null) {
  botKey = key && key.trim() ? key.trim() : null;
}
export const hasBotKey = () => botKey !== null;

export interface BotAlternative {
  answerId: string;
  title: string;
  confidence?: number;
  score?: number;
}

export interface BotReply {
  answer: { answerId: string; title: string; text: string; confidence?: number } | null;
  confidence: number;
  handoff: boolean;
  reason: string | null;
  alternatives: BotAlternative[];
  sessionId?: string;
  /** The transcript the agent receives, when the server includes it on hand-off. */
  transcript?: { role: 'customer' | 'bot'; text: string }[];
}

type RawAnswer = { answerId?: string; id?: string; title?: string; text?: string; botText?: string; confidence?: number } | null;
type RawReply = Omit<BotReply, 'answer' | 'alternatives'> & { answer: RawAnswer; alternatives?: BotAlternative[] };

/** POST /bot/answer {query, sessionId, channel:'bot'}: the bot variant of the best answer, or a hand-off. */
export async function askBot(query: string, sessionId: string): Promise<BotReply> {
  const r = await api<RawReply>('/bot/answer', {
    json: { query, sessionId, channel: 'bot' },
    ...(botKey ? { noRelogin: true, headers: { authorization: `Bearer ${botKey}` } } : {}),
  });
  const a = r.answer;
  return {
    ...r,
    answer: a ? { answerId: a.answerId ?? a.id ?? '', title: a.title ?? '', text: a.text ?? a.botText ?? '', confidence: a.confidence } : null,
    alternatives: r.alternatives ?? [],
    reason: r.reason ?? null,
  };
}
