import type { Principal } from '../auth/principal.ts';

/** Who performs an answer operation: a principal's identity fields, or the system (CLI, seed). */
export type AnswerActor = Pick<Principal, 'kind' | 'userId' | 'keyId'> | { kind: 'system'; userId?: undefined; keyId?: undefined };

/** The identity recorded in contributor lists: the acting user, or 'master' for the master key. */
export function actorIdentity(actor: AnswerActor): string {
  if (actor.userId) return actor.userId;
  return actor.kind === 'master' || actor.kind === 'system' ? actor.kind : `key:${actor.keyId ?? 'unknown'}`;
}
