import { liveVersionIndex } from '../../answers/live.ts';
import type { SearchFilters } from '../filters.ts';
import { normaliseText } from '../normalise.ts';
import { analyse } from '../segment.ts';
import { TRIGRAM_THRESHOLD, trigramSet, trigramSimilarity } from './trigrams.ts';

/**
 * BM25F parameters. Fields are blended into one pseudo term frequency before saturation
 * (Robertson & Zaragoza's BM25F): tf' = sum_f w_f * tf_f / (1 - b + b * len_f / avglen_f), then
 * score = sum_t qw_t * idf_t * tf' (k1 + 1) / (k1 + tf'), idf_t = ln(1 + (N - df + 0.5) / (df + 0.5)).
 * Values chosen by grid search on banking77 + clinc150-bank (recall@1, k1 in {0.9,1.2,1.6},
 * b in {0.5,0.75,0.9}, title weight in {2,3,4}); the plateau is flat within ±0.005.
 */
export const bm25Params = { k1: 1.6, b: 0.75, weights: { title: 3, questions: 1, body: 0.3 } } as const;

/** One published version of an answer, as the engine keeps it (to filter, rank, check liveness and render). */
export interface EngineVersion {
  versionId: string;
  number: number;
  title: string;
  similarQuestions: string[];
  bodyText: string;
  botText: string;
  categoryPath: string | null;
  tags: string[];
  channels: string[];
  /** Epoch ms, rounded up (see liveVersionIndex); null = unset. */
  effectiveFrom: number | null;
  expiresAt: number | null;
  /** ISO time shown as the result's updatedAt (published, else updated). */
  updatedAt: string;
}

/** Everything searchable about one answer: its published versions (none when archived or unpublished). */
export interface EngineAnswer {
  answerId: string;
  externalId: string | null;
  versions: EngineVersion[];
}

export interface WeightedTerm {
  term: string;
  /** 1 for the query's own terms, less for synonym expansions. */
  weight: number;
}

export interface Bm25Hit {
  versionId: string;
  answerId: string;
  score: number;
  /** Share of the query's idf mass this document matched (0..1): unknown words count as unmatched. */
  coverage: number;
}

export interface Bm25Result {
  hits: Bm25Hit[];
  /** Query terms (not synonyms) the index has never seen: typos, out-of-domain words. */
  unknownTerms: number;
  /** sum_t qw_t * idf_t over the query's own terms: the scale of a perfect match, for calibration. */
  queryIdf: number;
}

export interface TrigramHit {
  versionId: string;
  answerId: string;
  /** pg_trgm similarity of the best-matching title / similar question (0..1). */
  best: number;
  second: number;
  /** 0 the title, 1.. the similar questions (among the non-empty ones). */
  bestOrd: number;
  bestText: string;
}

/** The small interface the rest of search sees: swap the implementation behind it freely. */
export interface SearchIndex {
  /** Replaces everything indexed for these answers (an answer with no versions is removed). */
  index(answers: readonly EngineAnswer[]): void;
  remove(answerIds: readonly string[]): void;
  bm25(terms: readonly WeightedTerm[], filters: SearchFilters | undefined, limit: number): Bm25Result;
  trigram(normalisedQuery: string, candidateVersionIds: readonly string[], filters: SearchFilters | undefined, opts: { fuzzy: boolean; limit: number }): TrigramHit[];
  /** Whether this version is its answer's live version at `nowMs` (src/answers/live.ts). */
  isLive(versionId: string, nowMs: number): boolean;
  version(versionId: string): { answer: EngineAnswer; version: EngineVersion } | undefined;
  stats(): IndexStats;
}

export interface IndexStats {
  answers: number;
  documents: number;
  terms: number;
  postings: number;
  trigrams: number;
  /** Bytes held in typed arrays (postings, lengths, trigram lists); strings and metadata come on top. */
  typedArrayBytes: number;
}

// Bound the work a pathological query can cause (same bound as SQL had on the query text).
const MAX_TRIGRAM_QUERY = 200;

/** A growable list of (doc, tf title, tf questions, tf body) in typed arrays. */
class Postings {
  docs = new Int32Array(2);
  tf = new Uint16Array(6);
  n = 0;
  /** Live documents holding the term (the df of BM25). */
  df = 0;
  /** Entries pointing at removed documents, dropped on compaction. */
  dead = 0;
  push(doc: number, t: number, q: number, b: number) {
    if (this.n === this.docs.length) {
      const docs = new Int32Array(this.n * 2);
      docs.set(this.docs);
      this.docs = docs;
      const tf = new Uint16Array(this.n * 6);
      tf.set(this.tf);
      this.tf = tf;
    }
    this.docs[this.n] = doc;
    this.tf[this.n * 3] = Math.min(t, 65535);
    this.tf[this.n * 3 + 1] = Math.min(q, 65535);
    this.tf[this.n * 3 + 2] = Math.min(b, 65535);
    this.n++;
    this.df++;
  }
}

/** Phrase ids per trigram. */
class IdList {
  ids = new Int32Array(2);
  n = 0;
  push(id: number) {
    if (this.n === this.ids.length) {
      const ids = new Int32Array(this.n * 2);
      ids.set(this.ids);
      this.ids = ids;
    }
    this.ids[this.n++] = id;
  }
}

interface DocMeta {
  answer: EngineAnswer;
  version: EngineVersion;
  /** Term ids of this document (to keep df exact on removal). */
  terms: Int32Array;
  /** Normalised title + similar questions (ord = position), and each one's trigram ids. */
  phrases: string[];
  phraseIds: Int32Array;
  phraseTrigrams: Int32Array[];
}

function grow<T extends Int32Array | Uint32Array | Float64Array | Uint8Array>(a: T, need: number): T {
  if (need <= a.length) return a;
  const next = new (a.constructor as new (n: number) => T)(Math.max(need, a.length * 2));
  next.set(a);
  return next;
}

function frequencies(terms: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of terms) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/**
 * The in-memory keyword index: BM25F over typed-array postings (per-field tf; per-document field
 * lengths and their length norms), pg_trgm-compatible trigram similarity over titles and similar
 * questions with an inverted trigram index for the fuzzy pass, and each version's metadata for
 * filters, liveness and rendering. It indexes what the SQL index did: every published version of
 * a non-archived answer (scheduled and expired ones too; liveness is decided at query time), so
 * N, df and the average lengths, hence the scores, are the same.
 */
export class KeywordEngine implements SearchIndex {
  private readonly params: typeof bm25Params;
  private termIds = new Map<string, number>();
  private lists: Postings[] = [];
  private trigramIds = new Map<string, number>();
  private trigramLists: IdList[] = [];
  // Per document slot (slots are not reused; compaction drops dead postings).
  private docs: (DocMeta | null)[] = [];
  private len: Uint32Array[] = [new Uint32Array(64), new Uint32Array(64), new Uint32Array(64)];
  private den = [new Float64Array(64), new Float64Array(64), new Float64Array(64)];
  private denDirty = true;
  // Per phrase slot: its document, ord and trigram count.
  private phraseDoc = new Int32Array(64);
  private phraseOrd = new Int32Array(64);
  private phraseSize = new Int32Array(64);
  private phrases = 0;
  private byVersion = new Map<string, number>();
  private byAnswer = new Map<string, { answer: EngineAnswer; docs: number[] }>();
  private liveDocs = 0;
  private lenSum = [0, 0, 0];
  private postingCount = 0;
  private deadPostings = 0;
  // Scratch space for scoring, reused between queries (single-threaded).
  private score = new Float64Array(64);
  private matched = new Float64Array(64);
  private seen = new Int32Array(64);
  private queryMark = 0;
  private filterState = new Uint8Array(64);
  private phraseCount = new Int32Array(64);

  constructor(params: typeof bm25Params = bm25Params) {
    this.params = params;
  }

  index(answers: readonly EngineAnswer[]): void {
    for (const a of answers) {
      this.removeOne(a.answerId);
      if (a.versions.length === 0) continue;
      const entry = { answer: a, docs: [] as number[] };
      this.byAnswer.set(a.answerId, entry);
      for (const v of a.versions) entry.docs.push(this.addDoc(a, v));
    }
  }

  remove(answerIds: readonly string[]): void {
    for (const id of answerIds) this.removeOne(id);
  }

  private addDoc(answer: EngineAnswer, v: EngineVersion): number {
    const d = this.docs.length;
    // Normalised once: the title and similar questions feed both the terms and the trigram phrases.
    const normTitle = normaliseText(v.title);
    const normQuestions = v.similarQuestions.map(normaliseText);
    const title = analyse(normTitle);
    const questions = normQuestions.flatMap((q) => analyse(q));
    const body = analyse(normaliseText(v.bodyText));
    const f = [frequencies(title), frequencies(questions), frequencies(body)];
    const all = new Map<string, [number, number, number]>();
    f.forEach((m, field) => {
      for (const [term, tf] of m) {
        let e = all.get(term);
        if (!e) all.set(term, (e = [0, 0, 0]));
        e[field] = tf;
      }
    });
    const termIds = new Int32Array(all.size);
    let i = 0;
    for (const [term, [t, q, b]] of all) {
      let id = this.termIds.get(term);
      if (id === undefined) {
        id = this.lists.length;
        this.termIds.set(term, id);
        this.lists.push(new Postings());
      }
      this.lists[id]!.push(d, t, q, b);
      termIds[i++] = id;
    }
    this.postingCount += all.size;
    const lengths = [title.length, questions.length, body.length];
    for (let k = 0; k < 3; k++) {
      const len = (this.len[k] = grow(this.len[k]!, d + 1));
      len[d] = lengths[k]!;
      this.lenSum[k]! += lengths[k]!;
    }

    const phrases = [normTitle, ...normQuestions].filter((p) => p.length > 0);
    const phraseIds = new Int32Array(phrases.length);
    const phraseTrigrams: Int32Array[] = [];
    phrases.forEach((text, ord) => {
      const p = this.phrases++;
      this.phraseDoc = grow(this.phraseDoc, p + 1);
      this.phraseOrd = grow(this.phraseOrd, p + 1);
      this.phraseSize = grow(this.phraseSize, p + 1);
      this.phraseDoc[p] = d;
      this.phraseOrd[p] = ord;
      const set = trigramSet(text);
      this.phraseSize[p] = set.size;
      const ids = new Int32Array(set.size);
      let j = 0;
      for (const tg of set) {
        let id = this.trigramIds.get(tg);
        if (id === undefined) {
          id = this.trigramLists.length;
          this.trigramIds.set(tg, id);
          this.trigramLists.push(new IdList());
        }
        this.trigramLists[id]!.push(p);
        ids[j++] = id;
      }
      phraseIds[ord] = p;
      phraseTrigrams.push(ids);
    });
    this.docs.push({ answer, version: v, terms: termIds, phrases, phraseIds, phraseTrigrams });
    this.byVersion.set(v.versionId, d);
    this.liveDocs++;
    this.denDirty = true;
    return d;
  }

  private removeOne(answerId: string): void {
    const entry = this.byAnswer.get(answerId);
    if (!entry) return;
    this.byAnswer.delete(answerId);
    for (const d of entry.docs) {
      const meta = this.docs[d]!;
      for (const t of meta.terms) {
        const list = this.lists[t]!;
        list.df--;
        list.dead++;
      }
      this.deadPostings += meta.terms.length;
      for (let k = 0; k < 3; k++) this.lenSum[k]! -= this.len[k]![d]!;
      this.byVersion.delete(meta.version.versionId);
      this.docs[d] = null;
      this.liveDocs--;
    }
    this.denDirty = true;
    if (this.deadPostings > 4096 && this.deadPostings * 3 > this.postingCount) this.compact();
  }

  /** Drops postings and trigram entries of removed documents. */
  private compact(): void {
    for (const list of this.lists) {
      if (list.dead === 0) continue;
      let w = 0;
      for (let r = 0; r < list.n; r++) {
        const d = list.docs[r]!;
        if (this.docs[d] === null) continue;
        list.docs[w] = d;
        list.tf[w * 3] = list.tf[r * 3]!;
        list.tf[w * 3 + 1] = list.tf[r * 3 + 1]!;
        list.tf[w * 3 + 2] = list.tf[r * 3 + 2]!;
        w++;
      }
      list.n = w;
      list.dead = 0;
    }
    for (const list of this.trigramLists) {
      let w = 0;
      for (let r = 0; r < list.n; r++) {
        const p = list.ids[r]!;
        if (this.docs[this.phraseDoc[p]!] !== null) list.ids[w++] = p;
      }
      list.n = w;
    }
    this.postingCount -= this.deadPostings;
    this.deadPostings = 0;
  }

  /** Length-normalisation denominators 1 - b + b * len / avglen, per field and document (recomputed after changes). */
  private denominators(): Float64Array[] {
    if (!this.denDirty) return this.den;
    const { b } = this.params;
    const n = this.docs.length;
    const docs = Math.max(this.liveDocs, 1);
    for (let k = 0; k < 3; k++) {
      const avg = Math.max(this.lenSum[k]! / docs, 1e-6);
      const den = (this.den[k] = grow(this.den[k]!, n));
      const len = this.len[k]!;
      for (let d = 0; d < n; d++) den[d] = 1 - b + (b * len[d]!) / avg;
    }
    this.denDirty = false;
    return this.den;
  }

  /** 1 = passes the filters, 2 = does not (memoised per query in filterState; 0 = unknown). */
  private passes(d: number, f: SearchFilters | undefined): boolean {
    if (!f || (!f.category && !f.tags?.length && !f.channel)) return true;
    const s = this.filterState[d];
    if (s) return s === 1;
    const v = this.docs[d]!.version;
    let ok = true;
    if (f.category) ok = v.categoryPath === f.category || (v.categoryPath?.startsWith(f.category + '/') ?? false);
    if (ok && f.tags?.length) ok = f.tags.every((t) => v.tags.includes(t));
    if (ok && f.channel) ok = v.channels.includes(f.channel);
    this.filterState[d] = ok ? 1 : 2;
    return ok;
  }

  private resetScratch(): void {
    const n = this.docs.length;
    if (this.score.length < n) {
      this.score = grow(this.score, n);
      this.matched = grow(this.matched, n);
      this.seen = grow(this.seen, n);
      this.filterState = grow(this.filterState, n);
    }
    this.filterState.fill(0, 0, n);
    this.queryMark++;
    if (this.queryMark > 2_000_000_000) {
      this.seen.fill(0);
      this.queryMark = 1;
    }
  }

  bm25(terms: readonly WeightedTerm[], filters: SearchFilters | undefined, limit: number): Bm25Result {
    if (terms.length === 0) return { hits: [], queryIdf: 0, unknownTerms: 0 };
    const { k1, weights: w } = this.params;
    const den = this.denominators();
    this.resetScratch();
    const n = Math.max(this.liveDocs, 1);
    const mark = this.queryMark;
    const { score, matched, seen } = this;
    const touched: number[] = [];
    let queryIdf = 0;
    let unknown = 0;
    for (const { term, weight } of terms) {
      const id = this.termIds.get(term);
      const list = id === undefined ? undefined : this.lists[id];
      const df = list?.df ?? 0;
      const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
      if (weight >= 1) {
        queryIdf += weight * idf;
        if (df === 0) unknown++;
      }
      if (!list || df === 0) continue;
      const qwIdf = weight * idf;
      const own = weight >= 1;
      const { docs, tf } = list;
      for (let i = 0; i < list.n; i++) {
        const d = docs[i]!;
        if (this.docs[d] === null || !this.passes(d, filters)) continue;
        const t = tf[i * 3]!;
        const q = tf[i * 3 + 1]!;
        const b = tf[i * 3 + 2]!;
        let ptf = 0;
        if (t) ptf += (w.title * t) / den[0]![d]!;
        if (q) ptf += (w.questions * q) / den[1]![d]!;
        if (b) ptf += (w.body * b) / den[2]![d]!;
        if (seen[d] !== mark) {
          seen[d] = mark;
          score[d] = 0;
          matched[d] = 0;
          touched.push(d);
        }
        score[d]! += (qwIdf * ptf * (k1 + 1)) / (k1 + ptf);
        if (own) matched[d]! += qwIdf;
      }
    }
    if (touched.length === 0) {
      // As the SQL did: no hit at all -> every own term counts as unknown, idf as if unseen.
      const idf0 = Math.log(1 + (n + 0.5) / 0.5);
      return { hits: [], unknownTerms: terms.filter((t) => t.weight >= 1).length, queryIdf: terms.reduce((s, t) => s + (t.weight >= 1 ? t.weight * idf0 : 0), 0) };
    }
    const top = this.topK(touched, limit);
    return {
      queryIdf,
      unknownTerms: unknown,
      hits: top.map((d) => {
        const meta = this.docs[d]!;
        return { versionId: meta.version.versionId, answerId: meta.answer.answerId, score: score[d]!, coverage: queryIdf > 0 ? Math.min(1, matched[d]! / queryIdf) : 0 };
      }),
    };
  }

  /** The best `k` touched documents by score, ties by version id (the SQL's `order by score desc, version_id`). */
  private topK(touched: number[], k: number): number[] {
    const { score } = this;
    const better = (a: number, b: number) => score[a]! > score[b]! || (score[a] === score[b] && this.docs[a]!.version.versionId < this.docs[b]!.version.versionId);
    if (touched.length <= k) return touched.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
    // Min-heap of the k best so far: O(n log k).
    const heap: number[] = [];
    const up = (i: number) => {
      while (i > 0) {
        const p = (i - 1) >> 1;
        if (!better(heap[p]!, heap[i]!)) break;
        [heap[p], heap[i]] = [heap[i]!, heap[p]!];
        i = p;
      }
    };
    const down = (i: number) => {
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && better(heap[m]!, heap[l]!)) m = l;
        if (r < heap.length && better(heap[m]!, heap[r]!)) m = r;
        if (m === i) return;
        [heap[m], heap[i]] = [heap[i]!, heap[m]!];
        i = m;
      }
    };
    for (const d of touched) {
      if (heap.length < k) {
        heap.push(d);
        up(heap.length - 1);
      } else if (better(d, heap[0]!)) {
        heap[0] = d;
        down(0);
      }
    }
    return heap.sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0));
  }

  trigram(normalisedQuery: string, candidateVersionIds: readonly string[], filters: SearchFilters | undefined, opts: { fuzzy: boolean; limit: number }): TrigramHit[] {
    const q = normalisedQuery.slice(0, MAX_TRIGRAM_QUERY);
    if (!/[\p{L}\p{N}]/u.test(q)) return [];
    const qSet = trigramSet(q);
    const qSize = qSet.size;
    const qIds = new Set<number>();
    for (const tg of qSet) {
      const id = this.trigramIds.get(tg);
      if (id !== undefined) qIds.add(id);
    }
    const cand = new Set<number>();
    for (const v of candidateVersionIds) {
      const d = this.byVersion.get(v);
      if (d !== undefined) cand.add(d);
    }
    if (opts.fuzzy && qIds.size > 0) {
      this.resetScratch();
      // The `%` pass: phrases sharing enough trigrams with the query, through the inverted trigram index.
      this.phraseCount = grow(this.phraseCount, this.phrases);
      const count = this.phraseCount;
      const touched: number[] = [];
      for (const id of qIds) {
        const list = this.trigramLists[id]!;
        for (let i = 0; i < list.n; i++) {
          const p = list.ids[i]!;
          if (count[p] === 0) touched.push(p);
          count[p]!++;
        }
      }
      const found: { p: number; sim: number }[] = [];
      for (const p of touched) {
        const c = count[p]!;
        count[p] = 0;
        const d = this.phraseDoc[p]!;
        if (this.docs[d] === null) continue;
        const sim = trigramSimilarity(c, qSize, this.phraseSize[p]!);
        if (sim >= TRIGRAM_THRESHOLD && this.passes(d, filters)) found.push({ p, sim });
      }
      found.sort((a, b) => b.sim - a.sim || a.p - b.p);
      for (const { p } of found.slice(0, opts.limit)) cand.add(this.phraseDoc[p]!);
    }
    const hits: TrigramHit[] = [];
    for (const d of cand) {
      const meta = this.docs[d];
      if (!meta || meta.phrases.length === 0) continue;
      let best = -1;
      let bestSim = -1;
      let second = 0;
      meta.phraseTrigrams.forEach((ids, ord) => {
        let shared = 0;
        for (const id of ids) if (qIds.has(id)) shared++;
        const sim = trigramSimilarity(shared, qSize, ids.length);
        if (sim > bestSim) {
          if (best >= 0) second = bestSim;
          best = ord;
          bestSim = sim;
        } else if (sim > second) second = sim;
      });
      hits.push({ versionId: meta.version.versionId, answerId: meta.answer.answerId, best: bestSim, second: meta.phrases.length > 1 ? second : 0, bestOrd: best, bestText: meta.phrases[best]! });
    }
    return hits;
  }

  isLive(versionId: string, nowMs: number): boolean {
    const d = this.byVersion.get(versionId);
    if (d === undefined) return false;
    const { answer, version } = this.docs[d]!;
    const i = liveVersionIndex(answer.versions, false, nowMs);
    return i >= 0 && answer.versions[i] === version;
  }

  version(versionId: string): { answer: EngineAnswer; version: EngineVersion } | undefined {
    const d = this.byVersion.get(versionId);
    return d === undefined ? undefined : this.docs[d]!;
  }

  stats(): IndexStats {
    let bytes = 0;
    for (const l of this.lists) bytes += l.docs.byteLength + l.tf.byteLength;
    for (const l of this.trigramLists) bytes += l.ids.byteLength;
    for (const a of [...this.len, ...this.den, this.phraseDoc, this.phraseOrd, this.phraseSize, this.score, this.matched, this.seen]) bytes += a.byteLength;
    for (const m of this.docs) if (m) bytes += m.terms.byteLength + m.phraseIds.byteLength + m.phraseTrigrams.reduce((s, a) => s + a.byteLength, 0);
    return { answers: this.byAnswer.size, documents: this.liveDocs, terms: this.termIds.size, postings: this.postingCount - this.deadPostings, trigrams: this.trigramIds.size, typedArrayBytes: bytes };
  }
}
