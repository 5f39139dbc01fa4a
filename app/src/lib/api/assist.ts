import { api, type RequestOptions } from './client';
import type { Channel } from './types';

/**
 * The agent assist panel's calls. Embedded in a workbench the panel may carry an API key (?key= in
 * the iframe URL): it is kept in this module's memory only — never in storage — and sent as Bearer;
 * without one the agent's session cookie is used.
 */
let embedKey: string | null = null;

export function useAssistKey(key: string | null) {
  embedKey = key && key.trim() ? key.trim() : null;
}
export const hasAssistKey = () => embedKey !== null;

function call<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  if (!embedKey) return api<T>(path, opts);
  // A key is not a session: no re-login dialog on 401, the host must hand us a valid key.
  return api<T>(path, { ...opts, noRelogin: true, headers: { ...opts.headers, authorization: `Bearer ${embedKey}` } });
}

export type TurnRole = 'customer' | 'agent';
export interface ConversationTurn {
  role: TurnRole;
  text: string;
}

/** One suggested or found answer as the panel lists it (search result / assist suggestion fields). */
export interface AssistHit {
  answerId: string;
  externalId?: string | null;
  title: string;
  snippet?: string;
  score?: number;
  confidence?: number;
  matchedQuestion?: string;
  category?: string | null;
  tags?: string[];
  text?: string;
  version?: number;
}

export interface AssistHits {
  hits: AssistHit[];
  /** The search log id, for click and feedback events, when the server sends one. */
  searchId: string | null;
}

export interface Filters {
  channel?: Channel | '';
  category?: string;
}

type HitsResponse = { results?: AssistHit[]; suggestions?: AssistHit[]; searchId?: string; id?: string };
const hitsOf = (r: HitsResponse): AssistHits => ({ hits: r.suggestions ?? r.results ?? [], searchId: r.searchId ?? r.id ?? null });

const filterBody = (f: Filters) => {
  const filters: Record<string, string> = {};
  if (f.channel) filters.channel = f.channel;
  if (f.category) filters.category = f.category;
  return Object.keys(filters).length ? filters : undefined;
};

/** POST /assist/suggest: answers for the conversation so far (recent customer turns weigh most). */
export async function suggestForConversation(messages: ConversationTurn[], f: Filters, signal?: AbortSignal): Promise<AssistHits> {
  return hitsOf(await call<HitsResponse>('/assist/suggest', { json: { messages, limit: 8, filters: filterBody(f) }, signal }));
}

/** The search box: the typed text as the customer's latest turn, through the same assist endpoint. */
export async function searchAsAgent(query: string, f: Filters, signal?: AbortSignal): Promise<AssistHits> {
  return suggestForConversation([{ role: 'customer', text: query }], f, signal);
}

export interface AnswerCard {
  answerId: string;
  externalId: string | null;
  version: number;
  title: string;
  bodyHtml: string;
  bodyText: string;
  botText: string;
  category: string | null;
  tags: string[];
  channels: Channel[];
  reviewDueAt: string | null;
  expiresAt: string | null;
  updatedAt: string;
  freshness: ('review_overdue' | 'review_due' | 'expiring')[];
}

/** GET /assist/answers?ids=: the live answers with formatting and review/expiry dates. */
export async function answerCards(ids: string[]): Promise<AnswerCard[]> {
  if (ids.length === 0) return [];
  return (await call<{ items: AnswerCard[] }>('/assist/answers', { query: { ids: ids.join(',') } })).items;
}

export interface BotTranscript {
  sessionId: string;
  handedOffAt: string | null;
  handoffReason: string | null;
  messages: { role: 'customer' | 'bot'; text: string; at: string }[];
}

/** GET /bot/sessions/:id: the transcript a bot hand-off passes to the agent. */
export const botTranscript = (sessionId: string) => call<BotTranscript>(`/bot/sessions/${encodeURIComponent(sessionId)}`);

/** POST /feedback: helpful / not helpful on an answer the panel showed. */
export const sendFeedback = (f: { searchId?: string | null; sessionId?: string | null; answerId: string; helpful: boolean; comment?: string }) =>
  call<unknown>('/feedback', {
    json: { answerId: f.answerId, helpful: f.helpful, ...(f.searchId ? { searchId: f.searchId } : {}), ...(f.sessionId ? { sessionId: f.sessionId } : {}), ...(f.comment ? { comment: f.comment } : {}) },
  });

/** POST /feedback/click: the agent opened, copied or inserted a result (click-through). Best effort. */
export function recordClick(c: { searchId: string | null; answerId: string; position: number; action: 'open' | 'copy' | 'insert' }) {
  if (!c.searchId) return;
  call<unknown>('/feedback/click', { json: c }).catch(() => {});
}

/** GET /categories for the filter; an assist key may not read them, then the list comes from results. */
export async function categoryPaths(): Promise<string[]> {
  try {
    return (await call<{ items: { path: string }[] }>('/categories')).items.map((c) => c.path);
  } catch {
    return [];
  }
}
