import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAnswers } from '../../src/answers/import.ts';
import type { Database } from '../../src/db/client.ts';
import { bm25Search } from '../../src/search/bm25.ts';
import { backfillSearchIndex } from '../../src/search/keyword-index.ts';
import { createTestDatabase } from '../helpers/db.ts';

/**
 * A three-answer corpus small enough to score by hand (k1 = 1.6, b = 0.75, weights title 3,
 * questions 1, body 0.3; idf = ln(1 + (N - df + 0.5) / (df + 0.5))):
 *   A  title "card fee"   body "fee fee"     (title 2 terms, body 2)
 *   B  title "card limit"                     (title 2)
 *   C  title "pin"                            (title 1)
 * N = 3, avg title length 5/3, avg body length 2/3.
 */
describe('BM25F scoring against hand-computed values', () => {
  let database: Database;
  const ids: Record<string, string> = {};
  const versionOf = <H extends { answerId: string }>(hits: H[], key: string) => hits.find((h) => h.answerId === ids[key]);

  beforeAll(async () => {
    database = await createTestDatabase();
    const result = await importAnswers(
      database.db,
      [
        { externalId: 'A', title: 'card fee', body: 'fee fee' },
        { externalId: 'B', title: 'card limit' },
        { externalId: 'C', title: 'pin' },
      ],
      { publish: true, actor: { kind: 'master' } },
    );
    expect(result.errors).toEqual([]);
    const rows = await database.db.execute<{ id: string; external_id: string }>(sql`select id, external_id from answers`);
    for (const r of (rows as unknown as { rows: { id: string; external_id: string }[] }).rows) ids[r.external_id] = r.id;
  });
  afterAll(async () => database?.close());

  it('keeps collection statistics of the index', async () => {
    const stats = await database.db.execute(sql`select docs, title_len, questions_len, body_len from search_stats`);
    expect((stats as unknown as { rows: unknown[] }).rows).toEqual([{ docs: 3, title_len: 5, questions_len: 0, body_len: 2 }]);
  });

  it('scores a one-term query: fee', async () => {
    // idf(fee) = ln(1 + 2.5/1.5) = 0.980829; title part 3*1/(0.25 + 0.75*2/(5/3)) = 2.608696;
    // body part 0.3*2/(0.25 + 0.75*2/(2/3)) = 0.24; tf' = 2.848696;
    // score = 0.980829 * 2.848696 * 2.6 / (1.6 + 2.848696) = 1.632977
    const { hits } = await bm25Search(database.db, [{ term: 'fee', weight: 1 }], undefined, 10);
    expect(hits).toHaveLength(1);
    expect(versionOf(hits, 'A')!.score).toBeCloseTo(1.632977, 5);
  });

  it('scores a two-term query: card fee, and reports coverage', async () => {
    // idf(card) = ln(1 + 1.5/2.5) = 0.470004; B: tf' = 2.608696 -> 0.470004 * 2.608696 * 2.6 / 4.208696 = 0.757444
    // A: 0.757444 + 1.632977 = 2.390421
    const { hits, queryIdf } = await bm25Search(database.db, [{ term: 'card', weight: 1 }, { term: 'fee', weight: 1 }], undefined, 10);
    expect(hits.map((h) => h.answerId)).toEqual([ids.A, ids.B]);
    expect(versionOf(hits, 'A')!.score).toBeCloseTo(2.390421, 5);
    expect(versionOf(hits, 'B')!.score).toBeCloseTo(0.757444, 5);
    expect(queryIdf).toBeCloseTo(0.470004 + 0.980829, 5);
    expect(versionOf(hits, 'B')!.coverage).toBeCloseTo(0.470004 / (0.470004 + 0.980829), 5);
    expect(versionOf(hits, 'A')!.coverage).toBeCloseTo(1, 10);
  });

  it('weights synonym terms by their query weight and counts unknown words', async () => {
    const { hits, unknownTerms } = await bm25Search(database.db, [{ term: 'fee', weight: 0.7 }, { term: 'zzz', weight: 1 }], undefined, 10);
    expect(versionOf(hits, 'A')!.score).toBeCloseTo(0.7 * 1.632977, 5);
    expect(unknownTerms).toBe(1);
  });

  it('drops archived and unpublished answers from the index and heals a missing document at start-up', async () => {
    await database.db.execute(sql`delete from search_documents where answer_id = ${ids.C}`);
    await database.db.execute(sql`update search_stats set docs = docs - 1, title_len = title_len - 1`);
    expect((await bm25Search(database.db, [{ term: 'pin', weight: 1 }], undefined, 10)).hits).toHaveLength(0);
    expect(await backfillSearchIndex(database.db)).toBe(1);
    expect((await bm25Search(database.db, [{ term: 'pin', weight: 1 }], undefined, 10)).hits.map((h) => h.answerId)).toEqual([ids.C]);
    await database.db.execute(sql`update answers set archived_at = now() where id = ${ids.C}`);
    expect(await backfillSearchIndex(database.db)).toBe(1);
    expect((await bm25Search(database.db, [{ term: 'pin', weight: 1 }], undefined, 10)).hits).toHaveLength(0);
    const stats = await database.db.execute(sql`select docs, title_len from search_stats`);
    expect((stats as unknown as { rows: unknown[] }).rows).toEqual([{ docs: 2, title_len: 4 }]);
  });
});
