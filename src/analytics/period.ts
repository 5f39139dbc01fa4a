import { z } from 'zod';
import { isoDateString } from '../input.ts';

/** The reporting window every analytics query takes: [from, to), days. Defaults to the last 30 days. */
export interface Period {
  from: Date;
  to: Date;
}

export const MAX_PERIOD_DAYS = 366;

export const periodQuery = z.object({
  from: isoDateString.optional(),
  to: isoDateString.optional(),
  days: z.coerce.number().int().min(1).max(MAX_PERIOD_DAYS).optional(),
});
export type PeriodQuery = z.infer<typeof periodQuery>;

const DAY = 86_400_000;

/**
 * Turns ?from=YYYY-MM-DD&to=YYYY-MM-DD or ?days=N into a period in UTC days. `to` is inclusive on
 * the wire (a manager picks "to 30 Nov") and exclusive inside (to = start of the next day).
 */
export function resolvePeriod(q: PeriodQuery, now = new Date()): Period {
  const startOfTomorrow = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) + DAY);
  const to = q.to ? new Date(Date.parse(`${q.to}T00:00:00Z`) + DAY) : startOfTomorrow;
  const from = q.from ? new Date(`${q.from}T00:00:00Z`) : new Date(to.getTime() - (q.days ?? 30) * DAY);
  if (from >= to) throw new RangeError('from must be before to');
  if (to.getTime() - from.getTime() > MAX_PERIOD_DAYS * DAY) throw new RangeError(`a period is limited to ${MAX_PERIOD_DAYS} days`);
  return { from, to };
}
