/**
 * Trigrams as PostgreSQL's pg_trgm makes them, so the in-memory typo signal scores exactly as the
 * SQL `similarity()` it replaces: the text is split into words of letters and digits, each word is
 * padded with two spaces in front and one behind, and every window of three characters (code
 * points, not UTF-16 units) is a trigram; a text's trigrams are a set. similarity = shared /
 * (|a| + |b| - shared), rounded to float4 as pg_trgm returns it.
 */
const WORD_RUN = /[\p{L}\p{N}]+/gu;

/** pg_trgm's default `pg_trgm.similarity_threshold`: the `%` operator's cut-off for the fuzzy pass. */
export const TRIGRAM_THRESHOLD = 0.3;

export function trigramSet(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of text.match(WORD_RUN) ?? []) {
    const cps = Array.from(`  ${word} `);
    for (let i = 0; i + 3 <= cps.length; i++) out.add(cps[i]! + cps[i + 1]! + cps[i + 2]!);
  }
  return out;
}

/** pg_trgm's similarity from the set sizes and the shared count (float4, as SQL returned it). */
export function trigramSimilarity(shared: number, a: number, b: number): number {
  const union = a + b - shared;
  return union > 0 ? Math.fround(shared / union) : 0;
}

/** The trigram signal as one number: best phrase, plus half the second best (weights from the eval grid). */
export function trigramSignal(h: { best: number; second: number }): number {
  return (h.best + 0.5 * h.second) / 1.5;
}
