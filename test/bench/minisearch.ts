/**
 * MiniSearch 7.2.0, a widely used in-process engine, over the same corpus with the same analysis as
 * Zhida (normalise -> jieba words + search-mode pieces, stemmed English, stop words out) and the same
 * field weights and BM25 constants (title 3, similar questions 1, body 0.3; k1 1.6, b 0.75), as the
 * side-by-side reference for the in-memory engine.
 */
import MiniSearch from 'minisearch';
import type { ImportRecord } from '../../src/answers/import.ts';
import { normaliseText } from '../../src/search/normalise.ts';
import { analyse } from '../../src/search/segment.ts';
import { legacyBm25Params } from '../legacy/sql-bm25.ts';

interface Doc {
  id: number;
  externalId: string;
  title: string;
  questions: string;
  body: string;
}

const tokenize = (text: string) => analyse(normaliseText(text));

export function buildMiniSearch(corpus: readonly ImportRecord[]): MiniSearch<Doc> {
  const w = legacyBm25Params.weights;
  const ms = new MiniSearch<Doc>({
    fields: ['title', 'questions', 'body'],
    storeFields: ['externalId'],
    tokenize,
    processTerm: (t) => t,
    searchOptions: { boost: { title: w.title, questions: w.questions, body: w.body }, tokenize, processTerm: (t) => t, bm25: { k: legacyBm25Params.k1, b: legacyBm25Params.b, d: 0.5 } },
  });
  ms.addAll(corpus.map((r, i) => ({ id: i, externalId: r.externalId, title: r.title, questions: (r.similarQuestions ?? []).join('\n'), body: r.body ?? '' })));
  return ms;
}

export function miniSearchTop(ms: MiniSearch<Doc>, query: string, limit = 10): string[] {
  return ms
    .search(query)
    .slice(0, limit)
    .map((r) => r.externalId as string);
}
