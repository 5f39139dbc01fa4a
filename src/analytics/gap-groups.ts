import { queryShape, querySimilarity, type QueryShape } from './query-similarity.ts';

/** One logged query that found nothing, or nothing the bot could trust. */
export interface GapQuery {
  query: string;
  count: number;
  zeroResults: number;
  lowConfidence: number;
  lastSeenAt: string;
  /** The answer search ranked first for it (low-confidence rows), if any. */
  topAnswerId: string | null;
}

export interface GapGroup {
  /** The most frequent wording: the label and the text "add as similar question" adds. */
  query: string;
  normalised: string;
  count: number;
  zeroResults: number;
  lowConfidence: number;
  lastSeenAt: string;
  /** Every wording in the group, most frequent first. */
  variants: { query: string; count: number }[];
  /** The answer search most often ranked first for the group: the likely home for the question. */
  candidateAnswerId: string | null;
}

/** Two queries at or above this similarity belong to the same gap. Chosen on the demo's wordings. */
export const GAP_SIMILARITY = 0.5;

/**
 * Groups gap queries by similarity, most asked first: each query joins the group whose leading
 * wording it is most like (at least `threshold`), else starts a new group. Greedy by frequency, so
 * the label of a group is always its most asked wording and the result does not depend on log order.
 */
export function groupGapQueries(queries: GapQuery[], threshold = GAP_SIMILARITY): GapGroup[] {
  const sorted = [...queries].sort((a, b) => b.count - a.count || a.query.localeCompare(b.query));
  const groups: { lead: QueryShape; members: GapQuery[] }[] = [];
  for (const q of sorted) {
    const shape = queryShape(q.query);
    let best: (typeof groups)[number] | null = null;
    let bestScore = threshold;
    for (const g of groups) {
      const s = querySimilarity(shape, g.lead);
      if (s >= bestScore) {
        best = g;
        bestScore = s;
      }
    }
    if (best) best.members.push(q);
    else groups.push({ lead: shape, members: [q] });
  }
  return groups
    .map(({ lead, members }) => {
      const votes = new Map<string, number>();
      for (const m of members) if (m.topAnswerId) votes.set(m.topAnswerId, (votes.get(m.topAnswerId) ?? 0) + m.count);
      const candidate = [...votes].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
      return {
        query: members[0]!.query,
        normalised: lead.normalised,
        count: members.reduce((s, m) => s + m.count, 0),
        zeroResults: members.reduce((s, m) => s + m.zeroResults, 0),
        lowConfidence: members.reduce((s, m) => s + m.lowConfidence, 0),
        lastSeenAt: members.map((m) => m.lastSeenAt).sort().at(-1)!,
        variants: members.map((m) => ({ query: m.query, count: m.count })),
        candidateAnswerId: candidate,
      };
    })
    .sort((a, b) => b.count - a.count || b.lastSeenAt.localeCompare(a.lastSeenAt));
}
