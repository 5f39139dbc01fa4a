import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { createLegacySqlIndex, type LegacyDoc, type LegacySqlIndex } from '../legacy/sql-bm25.ts';

/** The baseline the benchmarks and the equivalence test use: the old SQL path still scores as it did (hand-computed values). */
describe('legacy SQL BM25F path (test/legacy/sql-bm25.ts)', () => {
  let database: Database;
  let legacy: LegacySqlIndex;
  const doc = (key: string, title: string, bodyText = '', similarQuestions: string[] = []): LegacyDoc => ({
    versionId: randomUUID(),
    answerId: key,
    title,
    similarQuestions,
    bodyText,
    categoryPath: key === 'C' ? '卡片/密码' : null,
    tags: [],
    channels: ['bot'],
  });
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    database = await createTestDatabase();
    legacy = await createLegacySqlIndex(database.db);
    const docs = [doc('A', 'card fee', 'fee fee'), doc('B', 'card limit'), doc('C', 'pin')];
    for (const d of docs) ids[d.answerId] = d.answerId = randomUUID();
    await legacy.add(docs);
  });
  afterAll(async () => database?.close());

  it('ranks by BM25F with the old constants and fuses with trigram similarity', async () => {
    const { hits } = await legacy.search('card fee');
    expect(hits.map((h) => h.answerId)).toEqual([ids.A, ids.B]);
    // Same figures as the old search-bm25 test: BM25F 2.390421 (A) and 0.757444 (B).
    expect(hits[0]!.bm25).toBeCloseTo(2.390421, 5);
    expect(hits[1]!.bm25).toBeCloseTo(0.757444, 5);
    // pg_trgm: "card fee" vs the title "card fee" is 1.
    expect(hits[0]!.trigramBest).toBe(1);
  });

  it('finds a typo through the trigram fuzzy pass, applies filters, and forgets removed documents', async () => {
    expect((await legacy.search('crad fee')).hits[0]?.answerId).toBe(ids.A);
    expect((await legacy.search('pin', { filters: { category: '卡片' } })).hits.map((h) => h.answerId)).toEqual([ids.C]);
    expect((await legacy.search('card', { filters: { category: '卡片' } })).hits).toEqual([]);
    const { hits } = await legacy.search('pin');
    await legacy.remove([hits[0]!.versionId]);
    expect((await legacy.search('pin')).hits).toEqual([]);
  });
});
