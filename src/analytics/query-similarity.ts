import { normaliseText } from '../search/normalise.ts';
import { segment, stemWord } from '../search/segment.ts';
import { isStopWord } from '../search/stop-words.ts';

/** What two queries are compared by: their search terms and their character bigrams. */
export interface QueryShape {
  normalised: string;
  terms: Set<string>;
  grams: Set<string>;
}

/**
 * Character n-grams of the normalised query with white space and punctuation removed. Bigrams, not
 * trigrams: a Chinese question is 4-10 characters, and two characters are already a word.
 */
function charGrams(normalised: string, n = 2): Set<string> {
  const chars = [...normalised.replace(/[^\p{L}\p{N}]/gu, '')];
  const grams = new Set<string>();
  if (chars.length < n) {
    if (chars.length) grams.add(chars.join(''));
    return grams;
  }
  for (let i = 0; i + n <= chars.length; i++) grams.add(chars.slice(i, i + n).join(''));
  return grams;
}

// Search keeps these (they can decide between answers); for grouping questions they are noise.
const QUESTION_WORDS = new Set(['how', 'why', 'when', 'where', 'want', 'need', 'get', 'way']);

/**
 * Whole words (jieba's accurate mode, not the search mode that also yields 信用 inside 信用卡 and
 * would make every card question look alike), stemmed, stop words removed.
 */
function queryTerms(normalised: string): Set<string> {
  const terms = new Set<string>();
  for (const w of segment(normalised)) {
    if (isStopWord(w) || QUESTION_WORDS.has(w)) continue;
    const t = stemWord(w);
    if (t && !isStopWord(t)) terms.add(t);
  }
  return terms;
}

export function queryShape(query: string): QueryShape {
  const normalised = normaliseText(query);
  return { normalised, terms: queryTerms(normalised), grams: charGrams(normalised) };
}

function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  let shared = 0;
  for (const x of a) if (b.has(x)) shared++;
  return shared / (a.size + b.size - shared);
}

/**
 * How alike two queries are, 0..1: the better of shared search terms (jieba/stemmed, stop words
 * removed, so "怎么办" does not make every question alike) and shared character bigrams (catches
 * typos and segmentation differences such as 丢了/丢失).
 */
export function querySimilarity(a: QueryShape, b: QueryShape): number {
  if (a.normalised === b.normalised) return 1;
  return Math.max(jaccard(a.terms, b.terms), jaccard(a.grams, b.grams));
}
