import type { Caller } from './search-log.ts';

/**
 * The namespace a bot session belongs to: the API key that opened it ('key:<id>'), the signed-in
 * user ('user:<id>'), or the master key. A session is continued and read by its owner only; a
 * client-chosen session id is looked up within the caller's namespace, so another caller's id
 * (guessed, leaked or reused) never opens their conversation.
 */
export function sessionOwner(caller: Caller): string {
  if (caller.apiKeyId) return `key:${caller.apiKeyId}`;
  if (caller.userId) return `user:${caller.userId}`;
  return 'master';
}

/**
 * Who may read a session's transcript: its owner, and — once the bot handed it off — staff signed in
 * as themselves (the agents who take the conversation over; each read is audited). Other API keys
 * never: to them the session does not exist.
 */
export function mayReadTranscript(session: { owner: string | null; handedOffAt: Date | string | null }, caller: Caller & { staffSession?: boolean }): boolean {
  if (session.owner && session.owner === sessionOwner(caller)) return true;
  return !!caller.staffSession && !caller.apiKeyId && !!caller.userId && session.handedOffAt != null;
}
