import type { Principal } from '../auth/principal.ts';

/** Who performs an answer operation: a principal's identity fields. */
export type AnswerActor = Pick<Principal, 'kind' | 'userId' | 'keyId'>;

/** The identity recorded in contributor lists: the acting user, or 'master' for the master key. */
export function actorIdentity(actor: AnswerActor): string {
  return actor.userId ?? (actor.kind === 'master' ? 'master' : `key:${actor.keyId ?? 'unknown'}`);
}
