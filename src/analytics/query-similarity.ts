import { normaliseText } from '../search/normalise.ts';
import { segment } from '../search/segment.ts';

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

// Words that say "this is a question", not what it is about: grouping ignores them (search has its
// own, shorter list, because there a word like 不 can decide between answers).
const FILLER = new Set(
  `的 了 吗 呢 吧 啊 呀 哦 嘛 么 是 我 你 您 我们 这 那 这个 那个 一下 请 请问 和 或 就 都 也 还 在 把 被 给 对 从 到 想 要 需要
   可以 能 能否 怎么 怎样 如何 怎么办 什么 为什么 哪里 多少 几 是否 有没有 办 该
   a an the and or to of in on at for with from is am are was be do does did can could would should will i me my we our you your
   it its this that what which who how why when where want need get way please`.split(/\s+/).filter(Boolean),
);

/** Plural and -ing/-ed endings folded so "cards" meets "card" (grouping only needs a light touch). */
function fold(word: string): string {
  if (!/^[a-z]+$/.test(word) || word.length <= 4) return word;
  return word.replace(/(?:ing|ed|es|s)$/, '');
}

/**
 * Whole words (jieba's accurate mode, not the search mode that also yields 信用 inside 信用卡 and
 * would make every card question look alike), filler removed.
 */
function queryTerms(normalised: string): Set<string> {
  const terms = new Set<string>();
  for (const w of segment(normalised)) if (!FILLER.has(w)) terms.add(fold(w));
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
 * How alike two queries are, 0..1: the better of shared words (filler removed, so "怎么办" does
 * not make every question alike) and shared character bigrams (catches
 * typos and segmentation differences such as 丢了/丢失).
 */
export function querySimilarity(a: QueryShape, b: QueryShape): number {
  if (a.normalised === b.normalised) return 1;
  return Math.max(jaccard(a.terms, b.terms), jaccard(a.grams, b.grams));
}
