import { DomainError } from '../errors.ts';
import { actorIdentity, type AnswerActor } from './actor.ts';
import type { VersionRow } from './map.ts';

/**
 * Four-eyes principle: nobody approves a version they wrote, co-edited or submitted. The author
 * and every contributor are checked, so passing a draft to a colleague does not launder it.
 */
export function assertFourEyes(version: Pick<VersionRow, 'authorId' | 'contributorIds' | 'number'>, actor: AnswerActor): void {
  const me = actorIdentity(actor);
  if (version.authorId === me || version.contributorIds.includes(me)) {
    throw new DomainError('four_eyes', `You wrote or edited version ${version.number}; another reviewer must approve it (four-eyes principle) / 不能审批自己编写的版本`);
  }
}
