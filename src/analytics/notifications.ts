import type { Db } from '../db/client.ts';
import { freshnessList, type FreshnessState } from './freshness.ts';

export interface Notification {
  /** Stable per answer and reason, so the UI can remember which ones were read. */
  id: string;
  kind: FreshnessState;
  answerId: string;
  title: string;
  /** The date the reminder is about (review due or expiry). */
  dueAt: string;
  daysLeft: number;
}

/**
 * In-app reminders for one user, computed from the answers they own (no stored queue to go stale):
 * reviews overdue or due within 30 days, and answers expiring within 30 days.
 */
export async function notificationsFor(db: Db, userId: string, now = new Date()): Promise<Notification[]> {
  const items = await freshnessList(db, { ownerId: userId, now, limit: 200 });
  return items.flatMap((item) =>
    item.states.map((kind) => {
      const dueAt = (kind === 'expiring' ? item.expiresAt : item.reviewDueAt)!;
      return {
        id: `${item.answerId}:${kind}:${dueAt}`,
        kind,
        answerId: item.answerId,
        title: item.title,
        dueAt,
        daysLeft: Math.floor((Date.parse(dueAt) - now.getTime()) / 86_400_000),
      };
    }),
  );
}
