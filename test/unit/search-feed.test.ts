import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersChanged } from '../../src/answers/events.ts';
import { importAnswers } from '../../src/answers/import.ts';
import type { Database } from '../../src/db/client.ts';
import { SearchRuntime } from '../../src/search/engine/runtime.ts';
import { searchAnswers } from '../../src/search/search-answers.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { prepareSearch } from '../../src/search/start-up.ts';
import { createSynonymGroup } from '../../src/search/synonym-admin.ts';
import { createTestDatabase } from '../helpers/db.ts';

/**
 * The change feed on the embedded database: the writer's own engine and a second engine ("node B",
 * built separately on the same database and following only the feed) see the same answers after
 * publish, archive, unarchive, rolled-back transactions and synonym edits; liveness is exact at the
 * millisecond of effective_from / expires_at.
 */
describe('search change feed and in-memory liveness (PGlite)', () => {
  let database: Database;
  let nodeB: SearchRuntime;
  const ids: Record<string, string> = {};
  const top = async (query: string, opts: { runtime?: SearchRuntime; now?: Date } = {}) =>
    (await searchAnswers(database.db, { query, limit: 5 }, opts)).results.map((r) => r.externalId);
  const feed = async () => rowsOf<{ seq: string; answer_id: string | null; kind: string }>(await database.db.execute(sql`select seq::text, answer_id, kind from search_changes order by seq`));

  beforeAll(async () => {
    database = await createTestDatabase();
    await prepareSearch(database.db);
    const r = await importAnswers(
      database.db,
      [
        { externalId: 'lost', title: '信用卡丢了怎么办', similarQuestions: ['卡片遗失如何挂失'], body: '请立即致电客服挂失。' },
        { externalId: 'fx', title: '如何购买外汇', body: '在手机银行的外汇频道购买。' },
      ],
      { publish: true, actor: { kind: 'master' } },
    );
    expect(r.errors).toEqual([]);
    for (const row of rowsOf<{ id: string; external_id: string }>(await database.db.execute(sql`select id, external_id from answers`))) ids[row.external_id] = row.id;
    nodeB = new SearchRuntime(database.db);
    await nodeB.whenBuilt();
  });
  afterAll(async () => {
    await nodeB?.stop();
    await database?.close();
  });

  it('appends one feed row per changed answer, in commit order, and a node built from the snapshot starts at the head', async () => {
    const rows = await feed();
    const answerRows = rows.filter((r) => r.kind === 'answer');
    expect(answerRows.map((r) => r.answer_id).sort()).toEqual([ids.lost, ids.fx].sort());
    expect(rows.map((r) => Number(r.seq))).toEqual([...rows.map((r) => Number(r.seq))].sort((a, b) => a - b));
    const status = nodeB.status();
    expect(status.seq).toBe(Number(rows.at(-1)!.seq));
    expect(status.openGaps).toBe(0);
    expect(status.answers).toBe(2);
    expect(await top('信用卡丢了', { runtime: nodeB })).toEqual(['lost']);
  });

  it('archive and unarchive reach the writer at once and node B through the feed', async () => {
    const setArchived = (archived: boolean) =>
      database.db.transaction(async (tx) => {
        await tx.execute(sql`update answers set archived_at = ${archived ? new Date().toISOString() : null}::timestamptz where id = ${ids.lost}`);
        await answersChanged(tx, [ids.lost!]);
      });
    await setArchived(true);
    expect(await top('信用卡丢了')).toEqual([]);
    await nodeB.sync();
    expect(await top('信用卡丢了', { runtime: nodeB })).toEqual([]);
    await setArchived(false);
    await nodeB.sync();
    expect(await top('信用卡丢了', { runtime: nodeB })).toEqual(['lost']);
    expect(nodeB.status().seq).toBe(Number((await feed()).at(-1)!.seq));
  });

  it('closes the gap a rolled-back transaction leaves in the sequence', async () => {
    await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`update answers set archived_at = now() where id = ${ids.fx}`);
        await answersChanged(tx, [ids.fx!]);
        throw new Error('roll back');
      })
      .catch(() => {});
    await database.db.transaction(async (tx) => answersChanged(tx, [ids.lost!]));
    await nodeB.sync();
    const last = Number((await feed()).at(-1)!.seq);
    expect(nodeB.status()).toMatchObject({ seq: last, headSeq: last, openGaps: 0 });
    expect(await top('外汇', { runtime: nodeB })).toEqual(['fx']);
  });

  it('applies synonym edits through the feed', async () => {
    expect(await top('买洋钱', { runtime: nodeB })).toEqual([]);
    await createSynonymGroup(database.db, { kind: 'master' }, ['外汇', '洋钱']);
    await nodeB.sync();
    expect(await top('买洋钱', { runtime: nodeB })).toEqual(['fx']);
    expect(await top('买洋钱')).toEqual(['fx']);
  });

  it('evaluates scheduled publishing and expiry in memory, exact to the millisecond', async () => {
    const T = Date.now() + 3_600_000;
    const setDates = (from: number | null, expires: number | null) =>
      database.db.transaction(async (tx) => {
        const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
        await tx.execute(sql`update answer_versions set effective_from = ${iso(from)}::timestamptz, expires_at = ${iso(expires)}::timestamptz where answer_id = ${ids.fx}`);
        await answersChanged(tx, [ids.fx!]);
      });
    await setDates(T, null);
    expect(await top('外汇', { now: new Date(T - 1) })).toEqual([]);
    expect(await top('外汇', { now: new Date(T) })).toEqual(['fx']);
    await setDates(null, T);
    expect(await top('外汇', { now: new Date(T - 1) })).toEqual(['fx']);
    expect(await top('外汇', { now: new Date(T) })).toEqual([]);
    await nodeB.sync();
    expect(await top('外汇', { runtime: nodeB, now: new Date(T - 1) })).toEqual(['fx']);
    expect(await top('外汇', { runtime: nodeB, now: new Date(T) })).toEqual([]);
    await setDates(null, null);
  });
});
