import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import { importColumns, XLSX_TYPE, type ImportFormat } from './import-formats.ts';
import { liveVersionIds } from './live.ts';
import { guardFormula } from '../spreadsheet-cell.ts';
import { iso } from './map.ts';

export type ExportStatus = 'published' | 'all';

/** One answer in the import format, so an export re-imports unchanged. */
export interface ExportRecord {
  externalId: string;
  title: string;
  similarQuestions: string[];
  body: string;
  category: string | null;
  tags: string[];
  channels: string[];
  botText?: string;
  effectiveFrom?: string;
  expiresAt?: string;
  reviewDueAt?: string;
}

const PAGE = 500;

/**
 * Pages of export records. status=published: the live version of each answer (what customers
 * see); status=all: the newest version of every answer, drafts and archived ones included.
 * Answers without an externalId are exported with their id as externalId.
 */
export async function* exportRecords(db: Db, status: ExportStatus): AsyncGenerator<ExportRecord[]> {
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const source =
      status === 'published'
        ? sql`select v.* from ${liveVersionIds()} l join answer_versions v on v.id = l.version_id where l.answer_id > ${after}::uuid`
        : sql`select distinct on (v.answer_id) v.* from answer_versions v where v.answer_id > ${after}::uuid order by v.answer_id, v.number desc`;
    const rows = rowsOf<Record<string, unknown>>(
      await db.execute(sql`select a.id, a.external_id, s.* from (${source}) s join answers a on a.id = s.answer_id order by a.id limit ${PAGE}`),
    );
    if (rows.length === 0) return;
    yield rows.map((r) => {
      const record: ExportRecord = {
        externalId: (r.external_id as string | null) ?? (r.answer_id as string),
        title: r.title as string,
        similarQuestions: r.similar_questions as string[],
        body: r.body_html as string,
        category: (r.category_path as string | null) ?? null,
        tags: r.tags as string[],
        channels: r.channels as string[],
      };
      if (Number(r.bot_text_derived) === 0) record.botText = r.bot_text as string;
      for (const [key, column] of [['effectiveFrom', 'effective_from'], ['expiresAt', 'expires_at'], ['reviewDueAt', 'review_due_at']] as const) {
        const value = iso(r[column] as Date | null);
        if (value) record[key] = value;
      }
      return record;
    });
    after = rows.at(-1)!.answer_id as string;
    if (rows.length < PAGE) return;
  }
}

function spreadsheetRow(r: ExportRecord): Record<string, string> {
  return {
    externalId: r.externalId,
    title: r.title,
    similarQuestions: r.similarQuestions.join('\n'),
    body: r.body,
    category: r.category ?? '',
    tags: r.tags.join('|'),
    channels: r.channels.join('|'),
    botText: r.botText ?? '',
    effectiveFrom: r.effectiveFrom ?? '',
    expiresAt: r.expiresAt ?? '',
    reviewDueAt: r.reviewDueAt ?? '',
  };
}

function csvRow(r: ExportRecord): Record<string, string> {
  return Object.fromEntries(Object.entries(spreadsheetRow(r)).map(([k, v]) => [k, guardFormula(v)]));
}

export const exportContentTypes: Record<ImportFormat, string> = {
  ndjson: 'application/x-ndjson; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  xlsx: XLSX_TYPE,
};

export function exportFileName(format: ImportFormat, status: ExportStatus, now = new Date()): string {
  return `zhida-answers-${status}-${now.toISOString().slice(0, 10)}.${format}`;
}

/**
 * The export as a byte stream. NDJSON and CSV stream page by page (constant memory); XLSX is
 * built in memory (a zip needs its directory at the end) and streamed out when complete.
 */
export function exportStream(db: Db, format: ImportFormat, status: ExportStatus, onRecords?: (n: number) => void): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const pages = exportRecords(db, status);
  let first = true;
  if (format === 'xlsx') {
    return new ReadableStream({
      async start(controller) {
        try {
          const workbook = new ExcelJS.Workbook();
          const sheet = workbook.addWorksheet('answers');
          sheet.columns = importColumns.map((key) => ({ header: key, key, width: key === 'body' ? 60 : 24 }));
          for await (const page of pages) {
            for (const r of page) sheet.addRow(spreadsheetRow(r));
            onRecords?.(page.length);
          }
          controller.enqueue(new Uint8Array(await workbook.xlsx.writeBuffer()));
          controller.close();
        } catch (err) {
          controller.error(err);
        }
      },
    });
  }
  return new ReadableStream({
    async pull(controller) {
      try {
        const next = await pages.next();
        if (next.done) {
          // An empty CSV export still has its header row.
          if (first && format === 'csv') controller.enqueue(encoder.encode(`\uFEFF${importColumns.join(',')}\r\n`));
          controller.close();
          return;
        }
        const page = next.value;
        onRecords?.(page.length);
        const text =
          format === 'ndjson'
            ? page.map((r) => JSON.stringify(r)).join('\n') + '\n'
            : // BOM so Excel opens the UTF-8 Chinese text correctly; papaparse quotes newlines and commas;
              // formula-like cells are guarded (and unguarded again when the CSV is imported).
              (first ? '\uFEFF' : '') + Papa.unparse(page.map(csvRow), { columns: [...importColumns], header: first }) + '\r\n';
        first = false;
        controller.enqueue(encoder.encode(text));
      } catch (err) {
        controller.error(err);
      }
    },
    async cancel() {
      await pages.return(undefined);
    },
  });
}
