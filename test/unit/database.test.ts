import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DataDirLockedError, openDatabase, openPgliteThread, type Database } from '../../src/db/client.ts';
import { appliedMigrations, runMigrations } from '../../src/db/migrate.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { demoAnswers } from '../../src/demo/answers.ts';
import { answers, answerVersions, users } from '../../src/db/schema/index.ts';
import { createTestDatabase } from '../helpers/db.ts';
import { createWireDatabase } from '../helpers/wire-db.ts';

// The same data-layer checks on every driver: PGlite in-process, PGlite on its own thread (the
// server's default), and postgres.js over the wire.
const drivers: [string, () => Promise<Database>][] = [
  ['pglite in-process', createTestDatabase],
  [
    'pglite on a worker thread',
    async () => {
      const d = await openPgliteThread();
      await runMigrations(d);
      return d;
    },
  ],
  [
    'postgres.js over pglite-socket',
    async () => {
      const d = await createWireDatabase();
      await runMigrations(d);
      return d;
    },
  ],
];

describe.each(drivers)('data layer on %s', (_name, create) => {
  let database: Database;
  beforeAll(async () => {
    database = await create();
  });
  afterAll(async () => database?.close());

  it('has the extensions and every migration applied', async () => {
    const ext = await database.db.execute(sql`select extname from pg_extension order by extname`);
    const names = ((ext as any).rows ?? ext).map((r: { extname: string }) => r.extname);
    expect(names).toEqual(expect.arrayContaining(['pg_trgm', 'vector']));
    expect(await appliedMigrations(database)).toBeGreaterThanOrEqual(2);
    // Re-running is a no-op.
    await runMigrations(database);
  });

  it('seeds the demo once, however often it runs', async () => {
    const first = await seedDemo(database.db);
    expect(first).toEqual({ seeded: true, answers: demoAnswers.length });
    const again = await seedDemo(database.db);
    expect(again.seeded).toBe(false);
    const [{ n }] = await database.db.select({ n: sql<number>`count(*)::int` }).from(answers);
    expect(n).toBe(demoAnswers.length);
    const [{ v }] = await database.db.select({ v: sql<number>`count(*)::int` }).from(answerVersions);
    expect(v).toBe(demoAnswers.length);
    const roles = (await database.db.select({ role: users.role }).from(users)).map((u) => u.role).sort();
    expect(roles).toEqual(['admin', 'agent', 'editor', 'reviewer']);
  });

  it('rolls back a failed transaction completely', async () => {
    await expect(
      database.db.transaction(async (tx) => {
        await tx.insert(answers).values({ externalId: 'rollback-me' });
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    const rows = await database.db.select().from(answers).where(sql`external_id = 'rollback-me'`);
    expect(rows).toHaveLength(0);
  });
});

describe('embedded data directory', () => {
  it('refuses a second opener with a clear error, and reopens after close', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zhida-lock-'));
    const first = await openDatabase({ dataDir: dir });
    await runMigrations(first);
    await expect(openDatabase({ dataDir: dir })).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(openDatabase({ dataDir: dir })).rejects.toThrow(/in use by another Zhida process/);
    await first.close();
    const second = await openDatabase({ dataDir: dir });
    expect(await appliedMigrations(second)).toBeGreaterThanOrEqual(2);
    await second.close();
  });
});
