import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { ApiError } from '../api/errors.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { DataDirLockedError, openDatabase, type Database } from '../db/client.ts';
import { runMigrations } from '../db/migrate.ts';
import { exportFileName, exportStream, type ExportStatus } from './export.ts';
import { formatFromFileName, parseImportFile, type ImportFormat } from './import-formats.ts';
import { importAnswers } from './import.ts';

function fail(message: string): never {
  console.error(`Error: ${message}`);
  process.exit(1);
}

/** Opens the configured database like `npm start` does; a PGlite dir held by a running server is a clear error. */
async function withDatabase<T>(work: (database: Database) => Promise<T>): Promise<T> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) fail(err.message);
    throw err;
  }
  let database: Database;
  try {
    database = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir });
  } catch (err) {
    if (err instanceof DataDirLockedError) fail(`${err.message}\nWhile the server runs, import over HTTP instead: POST /api/v1/import (see README).`);
    throw err;
  }
  try {
    await runMigrations(database);
    return await work(database);
  } catch (err) {
    if (err instanceof ApiError) fail(err.message);
    throw err;
  } finally {
    await database.close();
  }
}

const formats = ['ndjson', 'csv', 'xlsx'];

/** `zhida import <file> [--publish]` and `zhida export [--format] [--status] [--out]`. */
export function registerAnswerCommands(program: Command): void {
  program
    .command('import <file>')
    .description('Import answers from NDJSON (.ndjson/.jsonl), CSV or XLSX, idempotent by externalId / 导入答案')
    .option('--publish', 'publish changed answers at once (bulk publication, audited) instead of creating drafts')
    .option('--format <format>', `file format (${formats.join('|')}); default from the file extension`)
    .action(async (file: string, opts: { publish?: boolean; format?: string }) => {
      const format = (opts.format ?? formatFromFileName(file)) as ImportFormat | null;
      if (!format || !formats.includes(format)) fail(`Cannot tell the format of ${file}; use --format ${formats.join('|')}`);
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(await readFile(file));
      } catch (err) {
        fail(`Cannot read ${file}: ${(err as Error).message}`);
      }
      await withDatabase(async ({ db }) => {
        const parsed = await parseImportFile(bytes, format);
        const bar = new SingleBar({ format: 'import |{bar}| {value}/{total} answers | {eta_formatted} left', hideCursor: true }, Presets.shades_classic);
        const total = parsed.records.length;
        if (process.stderr.isTTY && total > 0) bar.start(total, 0);
        const started = performance.now();
        const result = await importAnswers(db, parsed.records, {
          publish: !!opts.publish,
          actor: { kind: 'system' },
          lines: parsed.lines,
          parseErrors: parsed.errors,
          source: `cli:${file}`,
          onProgress: (done) => bar.update(done),
        });
        bar.stop();
        const seconds = ((performance.now() - started) / 1000).toFixed(1);
        console.log(`created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}, errors ${result.errors.length} (${seconds} s)`);
        for (const e of result.errors.slice(0, 50)) console.log(`  line ${e.line}: ${e.message}`);
        if (result.errors.length > 50) console.log(`  … and ${result.errors.length - 50} more`);
        if (result.errors.length) process.exitCode = 2;
      });
    });

  program
    .command('export')
    .description('Export answers in the import format / 导出答案')
    .option('--format <format>', formats.join('|'), 'ndjson')
    .option('--status <status>', 'published (live versions) | all (newest version of every answer)', 'published')
    .option('--out <file>', 'output file; "-" for stdout (default: zhida-answers-<status>-<date>.<format>)')
    .action(async (opts: { format: string; status: string; out?: string }) => {
      if (!formats.includes(opts.format)) fail(`--format must be one of ${formats.join(', ')}`);
      if (!['published', 'all'].includes(opts.status)) fail('--status must be published or all');
      const format = opts.format as ImportFormat;
      const status = opts.status as ExportStatus;
      const out = opts.out ?? exportFileName(format, status);
      await withDatabase(async ({ db }) => {
        let count = 0;
        const bar = new SingleBar({ format: 'export {value} answers', hideCursor: true }, Presets.shades_classic);
        const toFile = out !== '-';
        if (toFile && process.stderr.isTTY) bar.start(0, 0);
        const stream = exportStream(db, format, status, (n) => bar.update((count += n)));
        await pipeline(Readable.fromWeb(stream as never), toFile ? createWriteStream(out) : process.stdout);
        bar.stop();
        if (toFile) console.log(`Exported ${count} answers to ${out}`);
      });
    });
}
