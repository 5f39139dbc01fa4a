import { createWriteStream } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { exportStream } from '../answers/export.ts';
import { backupFile, BadBackupFileError, sha256Hex } from '../backup/file.ts';
import { inspectArchive } from '../backup/inspect.ts';
import type { BackupManifest } from '../backup/manifest.ts';
import { restoreBackup, RestoreRefusedError } from '../backup/restore.ts';
import { takeSnapshot } from '../backup/take.ts';
import type { Config } from '../config.ts';
import { DataDirLockedError, openDatabase } from '../db/client.ts';
import { migrationJournal, pendingMigrations, runMigrations } from '../db/migrate.ts';
import { cliConfig, fail } from './database.ts';


/**
 * The snapshot of the embedded database: from the running server (POST /api/v1/backup/snapshot with
 * the admin token) or, when no server holds the data directory, straight from it.
 */
async function fetchSnapshot(config: Config, opts: { url?: string; token?: string }): Promise<Uint8Array<ArrayBuffer>> {
  const url = new URL('/api/v1/backup/snapshot', opts.url ?? `http://127.0.0.1:${config.port}`);
  const token = opts.token ?? config.adminToken ?? process.env.ZHIDA_MASTER_KEY;
  let res: Response | undefined;
  try {
    res = await fetch(url, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {} });
  } catch {
    // No server there: the data directory is free, unless a server runs elsewhere (then the lock says so).
  }
  if (res) {
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
      fail(`${url} answered ${res.status}: ${body?.error?.message ?? res.statusText}${res.status === 401 ? ' (pass --token or set ZHIDA_ADMIN_TOKEN to the master key or an admin key)' : ''}`);
    }
    const archive = new Uint8Array(await res.arrayBuffer());
    if (res.headers.get('x-zhida-sha256') !== sha256Hex(archive)) fail('The snapshot arrived damaged (checksum mismatch); try again.');
    return archive;
  }
  let database;
  try {
    database = await openDatabase({ dataDir: config.dataDir });
  } catch (err) {
    if (err instanceof DataDirLockedError) fail(`${err.message}\nThe server holding it did not answer at ${url.origin}: pass --url.`);
    throw err;
  }
  try {
    await runMigrations(database);
    return (await takeSnapshot(database, { kind: 'system' })).archive;
  } finally {
    await database.close();
  }
}

async function backup(file: string, opts: { url?: string; token?: string }): Promise<void> {
  const config = cliConfig();
  if (config.databaseUrl) {
    // A server database: pg_dump is the full backup; the import-format export is the portable copy.
    const database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
    try {
      let count = 0;
      await pipeline(Readable.fromWeb(exportStream(database.db, 'ndjson', 'published', (n) => (count += n)) as never), createWriteStream(file));
      console.log(`Exported ${count} published answers in the import format to ${file} (re-import with \`zhida import ${file} --publish\`).`);
      console.log('This is the portable copy of the knowledge base, not a full backup. For versions, users, keys and the audit trail run:');
      console.log('  pg_dump --format=custom --file=zhida.pgdump "$DATABASE_URL"    (restore: pg_restore --dbname="$DATABASE_URL" zhida.pgdump)');
    } finally {
      await database.close();
    }
    return;
  }
  const started = performance.now();
  const archive = await fetchSnapshot(config, opts);
  const { counts, audit } = await inspectArchive(archive);
  if (!audit.ok) fail(`The snapshot's audit chain does not verify (first bad entry ${audit.firstBadId}): the live database's audit trail is damaged. No backup written.`);
  const manifest: BackupManifest = {
    format: 'zhida-backup',
    version: 1,
    kind: 'pglite',
    createdAt: new Date().toISOString(),
    sha256: sha256Hex(archive),
    bytes: archive.length,
    counts,
    auditChecked: audit.checked,
  };
  // Written beside the target and renamed, so an interrupted backup never leaves a half file under its name.
  const tmp = `${file}.partial`;
  try {
    await writeFile(tmp, Buffer.from(await backupFile(manifest, archive).arrayBuffer()));
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  console.log(
    `Backup written to ${file}: ${(archive.length / 1e6).toFixed(1)} MB, ${counts.answers} answers (${counts.liveAnswers} live), ${counts.versions} versions, ` +
      `${counts.users} users, ${counts.apiKeys} API keys, audit chain ok (${audit.checked} entries), in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
  );
}

async function restore(file: string): Promise<void> {
  const config = cliConfig();
  if (config.databaseUrl) fail('DATABASE_URL is set: restore a server database with pg_restore (see README); `zhida restore` restores embedded backups into ZHIDA_DATA_DIR.');
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch (err) {
    fail(`Cannot read ${file}: ${(err as Error).message}`);
  }
  let report;
  try {
    report = await restoreBackup(bytes, config.dataDir, { file });
  } catch (err) {
    if (err instanceof RestoreRefusedError || err instanceof BadBackupFileError || err instanceof DataDirLockedError) fail(err.message);
    throw err;
  }
  const c = report.counts;
  console.log(`Restored ${file} (taken ${report.manifest.createdAt}) into ${config.dataDir}${report.migrationsApplied ? `, ${report.migrationsApplied} migrations applied` : ''}.`);
  console.log(`  counts: ${c.answers} answers (${c.liveAnswers} live), ${c.versions} versions, ${c.users} users, ${c.apiKeys} API keys, ${c.auditEntries} audit entries — ${report.differences.length ? `DIFFER: ${report.differences.join('; ')}` : 'match the backup'}`);
  console.log(`  audit chain: ${report.audit.ok ? `ok (${report.audit.checked} entries)` : `BROKEN at entry ${report.audit.firstBadId}`}${report.audit.headMatches ? ', ends where the backup did' : ', does NOT end where the backup did'}`);
  console.log(`  search: ${report.search ? `${report.search.found ? 'found' : 'did NOT find'} the live answer "${report.search.query}"` : 'no live answers to search for'}`);
  if (!report.ok) fail('The restored database does not verify (see above).');
  console.log('Verified. Start the server with this ZHIDA_DATA_DIR.');
}

async function migrate(opts: { check?: boolean; url?: string }): Promise<void> {
  const config = cliConfig();
  let database;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (err) {
    if (!(err instanceof DataDirLockedError)) throw err;
    if (!opts.check) fail(`${err.message}\nThe server applies migrations itself when it starts.`);
    // The running server reports how many migrations its database has; the journal is linear.
    const url = new URL('/readyz', opts.url ?? `http://127.0.0.1:${config.port}`);
    const ready = (await fetch(url)
      .then((r) => r.json())
      .catch(() => fail(`${err.message}\nAnd no server answered at ${url.origin} (pass --url).`))) as { checks?: { migrations?: { applied?: number } } };
    const applied = ready.checks?.migrations?.applied ?? fail(`${url} did not report its migrations.`);
    printPending(applied, migrationJournal().slice(applied), `the database of the server at ${url.origin}`);
    return;
  }
  try {
    const { applied, pending } = await pendingMigrations(database);
    if (opts.check) {
      printPending(applied, pending, database.kind === 'postgres' ? 'the PostgreSQL database' : config.dataDir);
      return;
    }
    await runMigrations(database);
    console.log(pending.length ? `Applied ${pending.length} migrations: ${pending.map((m) => m.tag).join(', ')}.` : 'Nothing to migrate.');
  } finally {
    await database.close();
  }
}

function printPending(applied: number, pending: { tag: string }[], where: string): void {
  if (pending.length === 0) console.log(`${where}: up to date (${applied} migrations applied); nothing would run.`);
  else console.log(`${where}: ${applied} migrations applied; ${pending.length} would run:\n${pending.map((m) => `  ${m.tag}`).join('\n')}`);
}

/** `zhida backup <file>`, `zhida restore <file>`, `zhida migrate [--check]`. */
export function registerOperationCommands(program: Command): void {
  program
    .command('backup <file>')
    .description('Online backup: a consistent snapshot from the running server (or the idle data dir), checked, with a manifest / 在线备份')
    .option('--url <url>', 'the running server (default http://127.0.0.1:$PORT)')
    .option('--token <token>', 'master key or an admin API key (default $ZHIDA_ADMIN_TOKEN)')
    .action(backup);
  program
    .command('restore <file>')
    .description('Restore a backup into an empty ZHIDA_DATA_DIR and verify counts, audit chain and search / 恢复备份')
    .action(restore);
  program
    .command('migrate')
    .description('Apply pending database migrations; --check only lists what would run / 数据库迁移')
    .option('--check', 'list the migrations that would run, change nothing')
    .option('--url <url>', 'with --check while the server holds the data dir: the server to ask (default http://127.0.0.1:$PORT)')
    .action(migrate);
}
