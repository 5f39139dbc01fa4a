import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import type { Period } from './period.ts';
import { clickEvents, feedbackEvents, searchEvents } from './search-events.ts';
import { num, queryRows } from '../db/rows.ts';

/** The rates a manager watches. Rates are 0..1, or null when there was nothing to divide by. */
export interface Rates {
  searches: number;
  botTurns: number;
  handoffs: number;
  handoffRate: number | null;
  clickThrough: number | null;
  feedback: number;
  helpfulRate: number | null;
  zeroResultRate: number | null;
  lowConfidenceRate: number | null;
  p95LatencyMs: number | null;
}

export interface DailyRates extends Rates {
  day: string;
  byChannel: Record<string, number>;
}

export interface Overview {
  period: { from: string; to: string };
  lowConfidenceBelow: number;
  totals: Rates;
  daily: DailyRates[];
  channels: string[];
}

export const ratio = (part: number, whole: number) => (whole > 0 ? part / whole : null);

interface DayRow {
  day: unknown; channel: string | null; searches: unknown; bot_turns: unknown; handoffs: unknown;
  with_results: unknown; clicked: unknown; zero: unknown; low: unknown; p95: unknown;
}

/**
 * Searches per day by channel and the day's rates. `lowConfidenceBelow` is the top score under which
 * a search that found something still counts as a gap (the bot's hand-off threshold).
 */
export async function analyticsOverview(db: Db, period: Period, lowConfidenceBelow: number): Promise<Overview> {
  const ev = searchEvents(period);
  const clicks = clickEvents(period);
  const fb = feedbackEvents(period);
  // grouping sets: one row per (day, channel) for the chart, one per day and one for the period.
  const rows = await queryRows<DayRow & { g_day: number; g_channel: number }>(
    db,
    sql`select e.day, e.channel, grouping(e.day) as g_day, grouping(e.channel) as g_channel,
               count(*) as searches,
               count(*) filter (where e.source = 'bot') as bot_turns,
               count(*) filter (where e.source = 'bot' and e.handoff) as handoffs,
               count(*) filter (where e.source <> 'bot' and e.result_count > 0) as with_results,
               count(*) filter (where e.source <> 'bot' and e.result_count > 0 and exists (select 1 from ${clicks} c where c.search_id = e.id)) as clicked,
               count(*) filter (where e.result_count = 0) as zero,
               count(*) filter (where e.result_count > 0 and e.top_score < ${lowConfidenceBelow}) as low,
               percentile_cont(0.95) within group (order by e.latency_ms) as p95
        from ${ev} e
        group by grouping sets ((e.day, e.channel), (e.day), ())`,
  );
  const feedback = await queryRows<{ day: unknown; g_day: number; total: unknown; helpful: unknown }>(
    db,
    sql`select (f.at at time zone 'UTC')::date as day, grouping((f.at at time zone 'UTC')::date) as g_day,
               count(*) as total, count(*) filter (where f.helpful) as helpful
        from ${fb} f group by grouping sets (((f.at at time zone 'UTC')::date), ())`,
  );
  const dayKey = (d: unknown) => (d instanceof Date ? d.toISOString().slice(0, 10) : String(d).slice(0, 10));
  const feedbackByDay = new Map<string, { total: number; helpful: number }>();
  let feedbackTotal = { total: 0, helpful: 0 };
  for (const f of feedback) {
    const v = { total: num(f.total), helpful: num(f.helpful) };
    if (num(f.g_day) === 1) feedbackTotal = v;
    else feedbackByDay.set(dayKey(f.day), v);
  }

  const rates = (r: DayRow | undefined, fbv: { total: number; helpful: number }): Rates => {
    const searches = num(r?.searches);
    return {
      searches,
      botTurns: num(r?.bot_turns),
      handoffs: num(r?.handoffs),
      handoffRate: ratio(num(r?.handoffs), num(r?.bot_turns)),
      clickThrough: ratio(num(r?.clicked), num(r?.with_results)),
      feedback: fbv.total,
      helpfulRate: ratio(fbv.helpful, fbv.total),
      zeroResultRate: ratio(num(r?.zero), searches),
      lowConfidenceRate: ratio(num(r?.low), searches),
      p95LatencyMs: r?.p95 === null || r?.p95 === undefined ? null : Math.round(num(r.p95) * 10) / 10,
    };
  };

  const perDay = new Map<string, DayRow>();
  const perDayChannel = new Map<string, Record<string, number>>();
  const channels = new Set<string>();
  let total: DayRow | undefined;
  for (const r of rows) {
    if (num(r.g_day) === 1) total = r;
    else if (num(r.g_channel) === 1) perDay.set(dayKey(r.day), r);
    else {
      const k = dayKey(r.day);
      const ch = r.channel ?? 'api';
      channels.add(ch);
      perDayChannel.set(k, { ...(perDayChannel.get(k) ?? {}), [ch]: num(r.searches) });
    }
  }
  // Every day of the period, also the quiet ones, so the charts have a continuous axis.
  const daily: DailyRates[] = [];
  for (let t = period.from.getTime(); t < period.to.getTime(); t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10);
    daily.push({ day, byChannel: perDayChannel.get(day) ?? {}, ...rates(perDay.get(day), feedbackByDay.get(day) ?? { total: 0, helpful: 0 }) });
  }
  return {
    period: { from: period.from.toISOString(), to: period.to.toISOString() },
    lowConfidenceBelow,
    totals: rates(total, feedbackTotal),
    daily,
    channels: [...channels].sort(),
  };
}
