import { gunzipSync } from 'node:zlib';
import { PGlite } from '@electric-sql/pglite';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { vector } from '@electric-sql/pglite-pgvector';
import { eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPgliteThread, type Database } from '../../src/db/client.ts';
import { runMigrations } from '../../src/db/migrate.ts';
import { answers } from '../../src/db/schema/index.ts';

type Rows<T> = { rows: T[] };

// The embedded database as the server runs it: PGlite on its own worker thread behind drizzle.
describe('PGlite on a worker thread', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openPgliteThread();
    await runMigrations(database);
  });
  afterAll(async () => database?.close());

  it('carries uuid, array, jsonb, vector and timestamp values both ways', async () => {
    const id = '0b1e6c1e-7a5c-4d4e-9d7e-1d2f3a4b5c6d';
    const result = (await database.db.execute(sql`
      select ${id}::uuid as id, ${sql.param(['a', '银行卡'])}::text[] as tags, ${sql.param([1, 2, 3])}::int[] as nums,
             ${JSON.stringify({ k: ['v', 1, null] })}::jsonb as doc, ${'[0.5,-1,2]'}::vector as vec,
             '2026-01-02T03:04:05Z'::timestamptz as at, 42::bigint as big, null::text as nothing`)) as unknown as Rows<Record<string, unknown>>;
    expect(result.rows[0]).toEqual({
      id,
      tags: ['a', '银行卡'],
      nums: [1, 2, 3],
      doc: { k: ['v', 1, null] },
      vec: '[0.5,-1,2]',
      // drizzle keeps timestamps as text (its parsers run on this thread, as in-process)
      at: '2026-01-02 03:04:05+00',
      big: 42,
      nothing: null,
    });
    const [row] = await database.db.insert(answers).values({ externalId: 'typed' }).returning();
    expect(row!.createdAt).toBeInstanceOf(Date);
  });

  it('reports a unique violation with its Postgres code and constraint, as in-process', async () => {
    await database.db.insert(answers).values({ externalId: 'dup' });
    const err = await database.db
      .insert(answers)
      .values({ externalId: 'dup' })
      .then(() => undefined)
      .catch((e: unknown) => e as { cause?: { code?: string; constraint?: string; table?: string } });
    expect(err?.cause).toMatchObject({ code: '23505', constraint: 'answers_external_id_unique', table: 'answers' });
  });

  it('commits, rolls back, and rolls back a savepoint inside a transaction', async () => {
    await database.db.transaction(async (tx) => {
      await tx.insert(answers).values({ externalId: 'tx-kept' });
      await tx
        .transaction(async (inner) => {
          await inner.insert(answers).values({ externalId: 'tx-inner-dropped' });
          throw new Error('inner');
        })
        .catch(() => {});
      // An advisory transaction lock, as the audit chain takes it.
      await tx.execute(sql`select pg_advisory_xact_lock(7271001)`);
    });
    await expect(
      database.db.transaction(async (tx) => {
        await tx.insert(answers).values({ externalId: 'tx-dropped' });
        tx.rollback();
      }),
    ).rejects.toThrow(/Rollback/);
    const ids = (await database.db.select({ id: answers.externalId }).from(answers)).map((r) => r.id);
    expect(ids).toContain('tx-kept');
    expect(ids).not.toContain('tx-inner-dropped');
    expect(ids).not.toContain('tx-dropped');
  });

  it('makes a statement from outside an open transaction wait for it, as in-process PGlite does', async () => {
    const order: string[] = [];
    let outside: Promise<unknown> | undefined;
    await database.db.transaction(async (tx) => {
      await tx.insert(answers).values({ externalId: 'serial' });
      outside = database.db
        .select()
        .from(answers)
        .where(eq(answers.externalId, 'serial'))
        .then((rows) => order.push(`outside saw ${rows.length}`));
      await tx.execute(sql`select 1`);
      order.push('transaction done');
    });
    await outside;
    // The outside read ran after the commit and saw the row: no interleaving, no dirty read.
    expect(order).toEqual(['transaction done', 'outside saw 1']);
  });

  it('keeps the calling thread free while the database works', async () => {
    let ticks = 0;
    let running = true;
    const spin = () => {
      ticks++;
      if (running) setImmediate(spin);
    };
    setImmediate(spin);
    await database.db.execute(sql`select sum(i::bigint * i) from generate_series(1, 3000000) i`);
    running = false;
    // In-process, the event loop would not turn once while the statement runs.
    expect(ticks).toBeGreaterThan(10);
  });

  it('snapshots the data directory as a tarball another PGlite opens', async () => {
    await database.db.insert(answers).values({ externalId: 'in-snapshot' });
    const tarball = await database.snapshot!();
    expect(gunzipSync(tarball).length).toBeGreaterThan(tarball.length);
    const restored = await PGlite.create({ loadDataDir: new Blob([tarball]), extensions: { vector, pg_trgm } });
    try {
      const rows = await restored.query<{ n: number }>(`select count(*)::int as n from answers where external_id = 'in-snapshot'`);
      expect(rows.rows[0]!.n).toBe(1);
    } finally {
      await restored.close();
    }
  });

  it('closes, and then refuses work with a clear error (closing twice is harmless)', async () => {
    await database.close();
    await expect(database.db.execute(sql`select 1`)).rejects.toMatchObject({ cause: { message: expect.stringMatching(/embedded database thread has stopped/) } });
    await database.close();
  });
});
