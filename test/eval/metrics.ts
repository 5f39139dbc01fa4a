/** Retrieval metrics for one query: rank (0-based) of each returned id, binary relevance. */
export function queryMetrics(returned: string[], expected: string[]) {
  const rel = returned.map((id) => (expected.includes(id) ? 1 : 0));
  const first = rel.indexOf(1);
  const dcg = rel.slice(0, 10).reduce<number>((s, r, i) => s + r / Math.log2(i + 2), 0);
  const ideal = Array.from({ length: Math.min(expected.length, 10) }, (_, i) => 1 / Math.log2(i + 2)).reduce((a, b) => a + b, 0);
  return {
    r1: first === 0 ? 1 : 0,
    r5: first >= 0 && first < 5 ? 1 : 0,
    mrr10: first >= 0 && first < 10 ? 1 / (first + 1) : 0,
    ndcg10: ideal > 0 ? dcg / ideal : 0,
  };
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
