import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { exportFileName, exportStream, type ExportStatus } from '../answers/export.ts';
import { formatFromFileName, parseImportFile, type ImportFormat } from '../answers/import-formats.ts';
import { importAnswers } from '../answers/import.ts';
import { cliConfig, fail, whileServerRuns, withDatabase } from './database.ts';

const formats = ['ndjson', 'csv', 'xlsx'];

/** `zhida import <file> [--publish]` and `zhida export [--format] [--status] [--out]`. */
export function registerTransferCommands(program: Command): void {
  program
    .command('import <file>')
    .description('Import answers from NDJSON (.ndjson/.jsonl), CSV or XLSX, idempotent by externalId / 导入答案')
    .option('--publish', 'stage changed answers as an import batch that a reviewer approves (POST /api/v1/import-batches/{id}/approve) instead of creating drafts')
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
      await withDatabase(
        cliConfig(),
        async ({ db }) => {
          const parsed = await parseImportFile(bytes, format);
          const bar = new SingleBar({ format: 'import |{bar}| {value}/{total} answers | {eta_formatted} left', hideCursor: true }, Presets.shades_classic);
          const total = parsed.records.length;
          if (process.stderr.isTTY && total > 0) bar.start(total, 0);
          const started = performance.now();
          // The CLI operator is no reviewer: --publish stages a batch for a reviewer, like the API does.
          const result = await importAnswers(db, parsed.records, {
            publish: false,
            stage: !!opts.publish,
            actor: { kind: 'system' },
            lines: parsed.lines,
            parseErrors: parsed.errors,
            parseErrorsDropped: parsed.errorsDropped,
            source: `cli:${file}`,
            onProgress: (done) => bar.update(done),
          });
          bar.stop();
          const seconds = ((performance.now() - started) / 1000).toFixed(1);
          console.log(`created ${result.created}, updated ${result.updated}, unchanged ${result.unchanged}, errors ${result.errorCount} (${seconds} s)`);
          if (result.batchId) console.log(`import batch ${result.batchId} is pending approval: a reviewer approves it with POST /api/v1/import-batches/${result.batchId}/approve`);
          for (const e of result.errors.slice(0, 50)) console.log(`  line ${e.line}: ${e.message}`);
          if (result.errorCount > 50) console.log(`  … and ${result.errorCount - Math.min(50, result.errors.length)} more`);
          if (result.errors.length) process.exitCode = 2;
        },
        whileServerRuns.transfer,
      );
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
      await withDatabase(
        cliConfig(),
        async ({ db }) => {
          let count = 0;
          const bar = new SingleBar({ format: 'export {value} answers', hideCursor: true }, Presets.shades_classic);
          const toFile = out !== '-';
          if (toFile && process.stderr.isTTY) bar.start(0, 0);
          const stream = exportStream(db, format, status, (n) => bar.update((count += n)));
          await pipeline(Readable.fromWeb(stream as never), toFile ? createWriteStream(out) : process.stdout);
          bar.stop();
          if (toFile) console.log(`Exported ${count} answers to ${out}`);
        },
        whileServerRuns.transfer,
      );
    });
}
