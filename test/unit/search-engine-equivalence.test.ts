import { existsSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAnswers } from '../../src/answers/import.ts';
import type { Database } from '../../src/db/client.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { searchAnswers } from '../../src/search/search-answers.ts';
import { prepareSearch } from '../../src/search/start-up.ts';
import { listSynonyms } from '../../src/search/synonyms.ts';
import { loadDataset } from '../eval/dataset.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { createLegacySqlIndex, type LegacyDoc, type LegacySqlIndex } from '../legacy/sql-bm25.ts';

/**
 * Old vs new ranking on the shared eval sets: the SQL BM25F + pg_trgm path of 755ced9
 * (test/legacy/sql-bm25.ts) and the in-memory engine, on the same published versions and synonym
 * groups, must give the same top-10 (answers, order) and the same fused scores and confidences.
 * Every 8th query by default (the SQL side is slow); ZHIDA_EQUIVALENCE_ALL=1 runs all of them.
 */
const root = ['../shared/datasets', '/work/shared/datasets'].map((d) => path.resolve(d)).find((d) => existsSync(path.join(d, 'banking77', 'answers.jsonl')));
const stride = process.env.ZHIDA_EQUIVALENCE_ALL === '1' ? 1 : 8;

describe.skipIf(!root)('in-memory engine vs the old SQL path on the shared eval sets' + (root ? '' : ' (skipped: ../shared/datasets not found)'), () => {
  for (const name of ['banking77', 'clinc150-bank']) {
    describe(name, () => {
      let database: Database;
      let legacy: LegacySqlIndex;
      const ds = root ? loadDataset(path.join(root, name)) : { answers: [], queries: [], name };

      beforeAll(async () => {
        database = await createTestDatabase();
        await prepareSearch(database.db);
        const imported = await importAnswers(database.db, ds.answers, { publish: true, actor: { kind: 'master' } });
        expect(imported.errors).toEqual([]);
        legacy = await createLegacySqlIndex(database.db);
        const docs = rowsOf<{ version_id: string; answer_id: string; title: string; similar_questions: string[]; body_text: string; category_path: string | null; tags: string[]; channels: string[] }>(
          await database.db.execute(sql`select v.id as version_id, v.answer_id, v.title, v.similar_questions, v.body_text, v.category_path, v.tags, v.channels
            from answer_versions v join answers a on a.id = v.answer_id where v.status = 'published' and a.archived_at is null`),
        );
        await legacy.add(
          docs.map((d): LegacyDoc => ({
            versionId: d.version_id,
            answerId: d.answer_id,
            title: d.title,
            similarQuestions: d.similar_questions,
            bodyText: d.body_text,
            categoryPath: d.category_path,
            tags: d.tags,
            channels: d.channels,
          })),
        );
        legacy.setSynonyms((await listSynonyms(database.db)).map((g) => g.phrases));
      }, 300_000);
      afterAll(async () => database?.close());

      it('ranks every sampled query identically (top 10, fused score, confidence)', async () => {
        const differences: string[] = [];
        let compared = 0;
        for (let i = 0; i < ds.queries.length; i += stride) {
          const q = ds.queries[i]!;
          const [next, old] = [await searchAnswers(database.db, { query: q.query, limit: 10 }, { explain: true }), await legacy.search(q.query, { limit: 10 })];
          compared++;
          const a = next.results.map((r) => `${r.answerId}:${r.score}:${r.confidence}`);
          const b = old.hits.map((h) => `${h.answerId}:${Math.round(h.fused * 1000) / 1000}:${Math.round(h.confidence * 1000) / 1000}`);
          if (a.join() !== b.join() || next.total !== old.total) differences.push(`${q.query}\n  new ${a.join(' ')} (${next.total})\n  old ${b.join(' ')} (${old.total})`);
        }
        expect(compared).toBeGreaterThan(ds.queries.length / stride - 1);
        expect(differences.slice(0, 5)).toEqual([]);
      }, 600_000);
    });
  }
});
