import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBackupFile } from '../../src/backup/file.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.ts';
import { importFixtures } from './search-fixtures.ts';
import { CLI_TIMEOUT, zhida } from '../helpers/cli.ts';

describe('zhida backup / restore (embedded database, server running)', () => {
  let server: TestServer;
  const work = mkdtempSync(path.join(tmpdir(), 'zhida-backup-'));
  const file = path.join(work, 'kb.zhida-backup');
  const restoredDir = path.join(work, 'restored');
  let writes = 0;

  beforeAll(async () => {
    server = await startTestServer();
    await importFixtures(server);
  });
  afterAll(async () => server?.stop());

  it('takes a backup while answers are being written', async () => {
    const port = new URL(server.url).port;
    // Writers: published imports of new answers, one transaction each (answer, version, index, audit).
    let stop = false;
    const writer = (async () => {
      while (!stop) {
        const n = ++writes;
        const res = await server.api('/api/v1/import?publish=true', {
          method: 'POST',
          headers: { 'content-type': 'application/x-ndjson' },
          body: JSON.stringify({ externalId: `w-${n}`, title: `并发写入的答案 ${n}`, similarQuestions: [`问题 ${n}`], body: `正文 ${n}`, category: '测试', tags: [], channels: ['bot', 'web'] }),
        });
        expect(res.status).toBe(200);
      }
    })();
    const result = await zhida(['backup', file], { PORT: port, ZHIDA_ADMIN_TOKEN: TEST_ADMIN_TOKEN, ZHIDA_DATA_DIR: path.join(work, 'unused') });
    stop = true;
    await writer;
    expect(result.out).toMatch(/Backup written to .*audit chain ok/);
    expect(result.code).toBe(0);
    expect(writes).toBeGreaterThan(1);
    const { manifest } = readBackupFile(new Uint8Array(readFileSync(file)));
    // Some of the concurrent answers made it into the snapshot, possibly not all (the writer went on).
    expect(manifest.counts.answers).toBeGreaterThanOrEqual(5);
    expect(manifest.counts.answers).toBeLessThanOrEqual(5 + writes);
    // The backup is in the live audit trail.
    const audit = await (await server.api('/api/v1/audit?action=backup.snapshot')).json();
    expect(audit.items[0]).toMatchObject({ action: 'backup.snapshot', actorKind: 'master' });
  }, CLI_TIMEOUT);

  it('restores into an empty data directory and verifies counts, audit chain and search', async () => {
    const result = await zhida(['restore', file], { ZHIDA_DATA_DIR: restoredDir });
    expect(result.out).toMatch(/match the backup/);
    expect(result.out).toMatch(/audit chain: ok .*ends where the backup did/);
    expect(result.out).toMatch(/search: found the live answer/);
    expect(result.code).toBe(0);
  }, CLI_TIMEOUT);

  it('the restored directory serves: no torn answer, the same answers found, the restore audited', async () => {
    const { manifest } = readBackupFile(new Uint8Array(readFileSync(file)));
    const restored = await startTestServer({ ZHIDA_DATA_DIR: restoredDir });
    try {
      const db = restored.ctx.db;
      // Every answer is whole: at least one version, its live version published, indexed for search.
      const torn = rowsOf<{ id: string }>(
        await db.execute(sql`
          select a.id from answers a
          left join answer_versions lv on lv.id = a.live_version_id
          where not exists (select 1 from answer_versions v where v.answer_id = a.id)
             or (a.live_version_id is not null and (lv.id is null or lv.status <> 'published'))`),
      );
      expect(torn).toEqual([]);
      const [counts] = rowsOf<{ answers: number }>(await db.execute(sql`select count(*)::int as answers from answers`));
      expect(counts!.answers).toBe(manifest.counts.answers);
      // Each concurrent answer in the snapshot is there with its audit entry, none without.
      const imported = rowsOf<{ n: number; audited: number }>(
        await db.execute(sql`
          select count(*)::int as n,
                 count(*) filter (where exists (select 1 from audit_log l where l.entity_id = a.id::text))::int as audited
          from answers a where a.external_id like 'w-%'`),
      );
      expect(imported[0]!.audited).toBe(imported[0]!.n);
      const verify = await (await restored.api('/api/v1/audit/verify')).json();
      expect(verify.ok).toBe(true);
      const last = await (await restored.api('/api/v1/audit?action=backup.restored')).json();
      expect(last.items[0]).toMatchObject({ action: 'backup.restored', actorKind: 'system', details: { verified: true } });
      const found = await (await restored.api('/api/v1/search', { method: 'POST', json: { query: '信用卡丢了怎么挂失', limit: 1 } })).json();
      expect(found.results[0]?.externalId).toBe('t-cc-lost');
    } finally {
      await restored.stop();
    }
  }, CLI_TIMEOUT);

  it('refuses to restore into a data directory that holds a database', async () => {
    const result = await zhida(['restore', file], { ZHIDA_DATA_DIR: restoredDir });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/already holds a database/);
  }, CLI_TIMEOUT);

  it('refuses a damaged backup file before touching the directory', async () => {
    const bytes = readFileSync(file);
    const damaged = path.join(work, 'damaged.zhida-backup');
    writeFileSync(damaged, bytes.subarray(0, bytes.length - 100));
    const empty = path.join(work, 'empty');
    mkdirSync(empty);
    const result = await zhida(['restore', damaged], { ZHIDA_DATA_DIR: empty });
    expect(result.code).toBe(1);
    expect(result.out).toMatch(/does not match its checksum/);
  }, CLI_TIMEOUT);
});
