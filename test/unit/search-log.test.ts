import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/client.ts';
import { SearchLogWriter, type LogEntry } from '../../src/search/search-log.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { createTestDatabase } from '../helpers/db.ts';

const entry = (query: string): LogEntry => ({
  source: 'search',
  query,
  normalised: query,
  response: { results: [], mode: 'keyword', total: 0 },
  latencyMs: 1,
  caller: {},
});

describe('buffered search log (real PGlite)', () => {
  let database: Database;
  const count = async (prefix: string) => rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from search_log where query like ${prefix + '%'}`))[0]!.n;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('returns the id at once and writes entries in batches with the ids it handed out', async () => {
    const log = new SearchLogWriter(database.db, { batchSize: 100, flushMs: 1000 });
    const ids = Array.from({ length: 250 }, (_, i) => log.record(entry(`batch ${i}`)));
    expect(new Set(ids).size).toBe(250);
    expect(log.isPending(ids[249]!)).toBe(true);
    await log.flush();
    expect(log.isPending(ids[249]!)).toBe(false);
    expect(await count('batch ')).toBe(250);
    const [row] = rowsOf<{ id: string; query: string }>(await database.db.execute(sql`select id, query from search_log where id = ${ids[7]!}`));
    expect(row).toEqual({ id: ids[7], query: 'batch 7' });
    expect(log.stats()).toMatchObject({ buffered: 0, written: 250, dropped: 0 });
    await log.close();
  });

  it('drops and counts entries beyond its bound instead of growing', async () => {
    const log = new SearchLogWriter(database.db, { capacity: 10, batchSize: 1000, flushMs: 1000 });
    for (let i = 0; i < 25; i++) log.record(entry(`bounded ${i}`));
    expect(log.stats()).toMatchObject({ buffered: 10, dropped: 15, capacity: 10 });
    await log.close();
    expect(await count('bounded ')).toBe(10);
    expect(log.stats()).toMatchObject({ buffered: 0, written: 10, dropped: 15 });
    // After close nothing more is taken (shutdown): counted as dropped.
    log.record(entry('bounded late'));
    expect(log.stats().dropped).toBe(16);
  });

  it('retries a batch the database refused once, then writes it', async () => {
    const log = new SearchLogWriter(database.db, { flushMs: 1000 });
    log.record(entry('retry a'));
    log.record(entry('retry b'));
    await database.db.execute(sql`alter table search_log rename to search_log_away`);
    try {
      await log.flush();
    } finally {
      await database.db.execute(sql`alter table search_log_away rename to search_log`);
    }
    expect(log.stats()).toMatchObject({ buffered: 2, failedBatches: 1, dropped: 0 });
    await log.flush();
    expect(await count('retry ')).toBe(2);
    expect(log.stats()).toMatchObject({ buffered: 0, written: 2, dropped: 0 });
    await log.close();
  });

  it('writes on its own within the flush interval', async () => {
    const log = new SearchLogWriter(database.db, { flushMs: 50 });
    const id = log.record(entry('timer'));
    await expect.poll(() => log.isPending(id), { timeout: 10_000, interval: 20 }).toBe(false);
    expect(await count('timer')).toBe(1);
    await log.close();
  });
});

describe('search log on shutdown', () => {
  it('writes the last searches before the database closes', async () => {
    const { startTestServer } = await import('../helpers/server.ts');
    const { openDatabase } = await import('../../src/db/client.ts');
    const zhida = await startTestServer();
    const dataDir = zhida.ctx.config.dataDir;
    const res = await zhida.api('/api/v1/search', { method: 'POST', json: { query: '信用卡挂失' } });
    const { searchId } = await res.json();
    // One more entry recorded right before the stop is still in the buffer when stop() runs.
    const lastId = zhida.ctx.searchLog.record(entry('recorded at shutdown'));
    expect(zhida.ctx.searchLog.isPending(lastId)).toBe(true);
    await zhida.stop();
    const reopened = await openDatabase({ dataDir });
    try {
      const rows = rowsOf<{ query: string }>(await reopened.db.execute(sql`select query from search_log where id in (${searchId}, ${lastId}) order by query`));
      expect(rows).toEqual([{ query: 'recorded at shutdown' }, { query: '信用卡挂失' }]);
    } finally {
      await reopened.close();
    }
  }, 240_000);
});
