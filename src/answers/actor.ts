import type { Principal } from '../auth/principal.ts';

/** Who performs an answer operation: a principal's identity fields, or the system (CLI, seed). */
export type AnswerActor =
  | Pick<Principal, 'kind' | 'userId' | 'keyId' | 'keyCreatedBy'>
  | { kind: 'system'; userId?: undefined; keyId?: undefined; keyCreatedBy?: undefined };

/** The identity recorded in contributor lists: the acting user, or 'master' for the master key. */
export function actorIdentity(actor: AnswerActor): string {
  if (actor.userId) return actor.userId;
  return actor.kind === 'master' || actor.kind === 'system' ? actor.kind : `key:${actor.keyId ?? 'unknown'}`;
}

/**
 * Every identity an actor speaks for. A key minted by someone other than its owner (the master key
 * for a bot user, say) acts for both, so whatever it writes counts as the minter's work too and the
 * minter cannot launder a change through it.
 */
export function actorIdentities(actor: AnswerActor): string[] {
  const me = actorIdentity(actor);
  const minter = actor.kind === 'api_key' ? actor.keyCreatedBy : undefined;
  return minter && minter !== me ? [me, minter] : [me];
}

/** `ids` plus the actor's identities, without duplicates and in first-seen order. */
export function withActor(ids: readonly string[], actor: AnswerActor): string[] {
  return [...new Set([...ids, ...actorIdentities(actor)])];
}
