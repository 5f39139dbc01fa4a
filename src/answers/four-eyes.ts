import { DomainError } from '../errors.ts';
import { actorIdentities, type AnswerActor } from './actor.ts';
import type { VersionRow } from './map.ts';

/**
 * Approving or rejecting content needs a person acting for themselves: a signed-in user, or an API
 * key its owner minted. The master key is for operations and never reviews (no person would be
 * recorded); a key minted for someone else (by the master key or, before that was refused, by an
 * admin) never reviews either, so nobody can review in another person's name.
 */
export function assertReviewerIsPerson(actor: AnswerActor): void {
  if (!actor.userId || actor.kind === 'master') {
    throw new DomainError('review_needs_person', 'Approving or rejecting needs a reviewer signed in as themselves; the master key cannot review / 审批需要审核员本人操作，主密钥不能审批');
  }
  if (actor.kind === 'api_key' && actor.keyCreatedBy !== actor.userId) {
    throw new DomainError('review_needs_person', 'This API key was issued by someone else for its owner; only a key the reviewer created themselves (or their session) can approve or reject / 他人代建的密钥不能审批');
  }
}

/**
 * Four-eyes principle: nobody approves or rejects a version they wrote, co-edited, imported,
 * restored or submitted. Contributors accumulate over the whole change since the last published
 * version (see lineageContributors), so passing a draft to a colleague, rejecting one's own
 * submission or a round trip through export and re-import does not launder it.
 */
export function assertFourEyes(version: Pick<VersionRow, 'authorId' | 'contributorIds' | 'number'>, actor: AnswerActor, what: 'approve' | 'reject' = 'approve'): void {
  assertReviewerIsPerson(actor);
  const mine = actorIdentities(actor);
  if (mine.some((id) => id === version.authorId || version.contributorIds.includes(id))) {
    throw new DomainError(
      'four_eyes',
      `You contributed to version ${version.number}; another reviewer must ${what} it (four-eyes principle) / 不能${what === 'approve' ? '批准' : '驳回'}自己参与编写的版本`,
    );
  }
}

const IN_LINEAGE = new Set(['draft', 'in_review', 'rejected']);

/**
 * Everyone who contributed to the change under way: the contributors (and authors) of every
 * draft, in-review and rejected version newer than the newest published one. A new draft started
 * from a rejected version inherits them, so a reject-edit-approve loop keeps the full history.
 */
export function lineageContributors(versions: readonly Pick<VersionRow, 'number' | 'status' | 'authorId' | 'contributorIds'>[]): string[] {
  let lastPublished = 0;
  for (const v of versions) if ((v.status === 'published' || v.status === 'superseded') && v.number > lastPublished) lastPublished = v.number;
  const out = new Set<string>();
  for (const v of [...versions].sort((a, b) => a.number - b.number)) {
    if (v.number <= lastPublished || !IN_LINEAGE.has(v.status)) continue;
    if (v.authorId) out.add(v.authorId);
    for (const id of v.contributorIds) out.add(id);
  }
  return [...out];
}
