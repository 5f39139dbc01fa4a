/**
 * The postMessage protocol between the agent's workbench (the host page) and the assist panel in
 * its iframe. Documented in README.md ("Agent assist embedding"); version 1.
 *
 * host -> panel  {type:'zhida:auth', key}                                                 (an assist-scoped API key, kept in memory)
 *                {type:'zhida:conversation', messages:[{role:'customer'|'agent', text}]}  (the whole conversation so far)
 *                {type:'zhida:search', query}                                              (fill the search box)
 * panel -> host  {type:'zhida:ready', version:1}                                           (listening; send the conversation)
 *                {type:'zhida:insert', answerId, title, text, html}                        (the agent picked an answer)
 *
 * The panel accepts messages only from its parent window and only from the origins the server lets
 * frame it (ZHIDA_FRAME_ANCESTORS, read back from the Content-Security-Policy of /assist itself, so
 * there is one setting), and it posts only to the origin it verified — never to '*'.
 */

/** One turn of the host's conversation (the same shape POST /assist/suggest takes). */
export interface ConversationTurn {
  role: 'customer' | 'agent';
  text: string;
}

export const PROTOCOL_VERSION = 1;

export type HostMessage =
  | { type: 'zhida:auth'; key: string }
  | { type: 'zhida:conversation'; messages: ConversationTurn[] }
  | { type: 'zhida:search'; query: string };

export type PanelMessage =
  | { type: 'zhida:ready'; version: number }
  | { type: 'zhida:insert'; answerId: string; title: string; text: string; html: string };

/** Turns a CSP frame-ancestors source list into origin matchers ('self', exact origins, *.wildcards). */
export function originMatchers(frameAncestors: string, selfOrigin: string): ((origin: string) => boolean)[] {
  const out: ((origin: string) => boolean)[] = [];
  for (const source of frameAncestors.split(/\s+/).filter(Boolean)) {
    if (source === "'self'") out.push((o) => o === selfOrigin);
    else if (source === "'none'") continue;
    else if (source === '*') out.push(() => true);
    else if (source.includes('*')) {
      const re = new RegExp(`^${source.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '[^./]+')}$`);
      out.push((o) => re.test(o));
    } else {
      const exact = source.replace(/\/+$/, '');
      out.push((o) => o === exact);
    }
  }
  return out;
}

/** The frame-ancestors directive the server sent for this page (one source of truth with the server). */
export async function allowedAncestors(): Promise<{ matchers: ((origin: string) => boolean)[]; explicit: string[] }> {
  const res = await fetch(location.pathname, { method: 'HEAD', credentials: 'same-origin', cache: 'no-store' });
  const csp = res.headers.get('content-security-policy') ?? '';
  const directive = /frame-ancestors\s+([^;]*)/i.exec(csp)?.[1] ?? "'self'";
  // Exact origins are where the ready message may be announced before the host has spoken.
  const explicit = directive
    .split(/\s+/)
    .filter((s) => s && !s.includes('*') && !s.startsWith("'"))
    .map((s) => s.replace(/\/+$/, ''));
  if (/'self'/.test(directive)) explicit.push(location.origin);
  return { matchers: originMatchers(directive, location.origin), explicit };
}

/** Checks the shape of an incoming message; anything else is ignored. */
export function parseHostMessage(data: unknown): HostMessage | null {
  if (!data || typeof data !== 'object') return null;
  const m = data as Record<string, unknown>;
  if (m.type === 'zhida:conversation' && Array.isArray(m.messages)) {
    const messages = m.messages
      .filter((t): t is { role: string; text: string } => !!t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string')
      .map((t) => ({ role: t.role === 'agent' ? 'agent' : 'customer', text: t.text.slice(0, 4000) }) as ConversationTurn)
      .filter((t) => t.text.trim())
      .slice(-50);
    return { type: 'zhida:conversation', messages };
  }
  if (m.type === 'zhida:auth' && typeof m.key === 'string' && /^\S{16,512}$/.test(m.key)) return { type: 'zhida:auth', key: m.key };
  if (m.type === 'zhida:search' && typeof m.query === 'string') return { type: 'zhida:search', query: m.query.slice(0, 500) };
  return null;
}

/**
 * Listens to the parent window. `onMessage` receives only checked messages from allowed origins;
 * `post` sends to the host's verified origin (or announces to every exact allowed origin before the
 * host has spoken). Returns a stop function.
 */
export function connectToHost(
  allowed: { matchers: ((origin: string) => boolean)[]; explicit: string[] },
  onMessage: (m: HostMessage, origin: string) => void,
): { post: (m: PanelMessage) => boolean; stop: () => void; embedded: boolean } {
  const embedded = typeof window !== 'undefined' && window.parent !== window;
  let hostOrigin: string | null = null;
  const listener = (e: MessageEvent) => {
    if (!embedded || e.source !== window.parent) return;
    if (!allowed.matchers.some((m) => m(e.origin))) return;
    const m = parseHostMessage(e.data);
    if (!m) return;
    hostOrigin = e.origin;
    onMessage(m, e.origin);
  };
  window.addEventListener('message', listener);
  const post = (m: PanelMessage) => {
    if (!embedded) return false;
    const targets = hostOrigin ? [hostOrigin] : allowed.explicit;
    // postMessage drops the message when the parent is not at targetOrigin: nothing leaks elsewhere.
    for (const origin of targets) window.parent.postMessage(m, origin);
    return targets.length > 0;
  };
  if (embedded) post({ type: 'zhida:ready', version: PROTOCOL_VERSION });
  return { post, stop: () => window.removeEventListener('message', listener), embedded };
}
