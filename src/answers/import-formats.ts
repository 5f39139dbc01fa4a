import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { DomainError } from '../errors.ts';
import type { ImportError } from './import.ts';

export type ImportFormat = 'ndjson' | 'csv' | 'xlsx';

/** Records read from a file, each with its line (NDJSON) or row (CSV/XLSX, header = row 1). */
export interface ParsedImport {
  records: unknown[];
  lines: number[];
  errors: ImportError[];
}

export const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** The columns of CSV and XLSX imports (and exports); externalId and title are required. */
export const importColumns = ['externalId', 'title', 'similarQuestions', 'body', 'category', 'tags', 'channels', 'botText', 'effectiveFrom', 'expiresAt', 'reviewDueAt'] as const;

export function formatFromContentType(contentType: string | undefined): ImportFormat | null {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (['application/x-ndjson', 'application/ndjson', 'application/jsonl', 'application/x-jsonlines', 'application/jsonlines'].includes(type)) return 'ndjson';
  if (type === 'text/csv') return 'csv';
  if (type === XLSX_TYPE) return 'xlsx';
  return null;
}

export function formatFromFileName(name: string): ImportFormat | null {
  const ext = name.toLowerCase().split('.').pop();
  if (ext === 'ndjson' || ext === 'jsonl') return 'ndjson';
  if (ext === 'csv') return 'csv';
  if (ext === 'xlsx') return 'xlsx';
  return null;
}

/** Strict UTF-8: invalid byte sequences are a 400, never silently replaced by U+FFFD. */
export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new DomainError('invalid_utf8', 'The file is not valid UTF-8; save it as UTF-8 (CSV: "CSV UTF-8") / 文件不是有效的 UTF-8 编码');
  }
}

/** One JSON object per line; blank lines are skipped; each bad line is reported, the rest still parse. */
export function parseNdjson(text: string): ParsedImport {
  const out: ParsedImport = { records: [], lines: [], errors: [] };
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    try {
      const value: unknown = JSON.parse(raw);
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        out.errors.push({ line, message: 'Each line must be one JSON object' });
        return;
      }
      out.records.push(value);
      out.lines.push(line);
    } catch (err) {
      out.errors.push({ line, message: `Malformed JSON: ${(err as Error).message}` });
    }
  });
  return out;
}

const splitQuestions = (s: string) => s.split(/\r?\n|\|/);
const splitList = (s: string) => s.split(/[|,，、\n]/);

/** A spreadsheet row (column -> cell text) as an import record; empty cells are left out. */
function rowToRecord(row: Record<string, string>): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(row)) {
    const value = (raw ?? '').trim();
    if (!value) continue;
    if (key === 'similarQuestions') record[key] = splitQuestions(value).map((s) => s.trim()).filter(Boolean);
    else if (key === 'tags' || key === 'channels') record[key] = splitList(value).map((s) => s.trim()).filter(Boolean);
    else record[key] = key === 'body' || key === 'botText' ? raw : value;
  }
  return record;
}

function checkHeader(header: string[]): void {
  const unknown = header.filter((h) => h && !(importColumns as readonly string[]).includes(h));
  const missing = ['externalId', 'title'].filter((c) => !header.includes(c));
  if (unknown.length || missing.length) {
    throw new DomainError('invalid_columns', `The header row must name the columns ${importColumns.join(', ')} (externalId and title required)`, { unknown, missing });
  }
}

export function parseCsv(text: string): ParsedImport {
  const out: ParsedImport = { records: [], lines: [], errors: [] };
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy', transformHeader: (h) => h.trim() });
  checkHeader(parsed.meta.fields ?? []);
  const badRows = new Map<number, string>();
  for (const e of parsed.errors) if (e.row != null) badRows.set(e.row, `${e.code}: ${e.message}`);
  parsed.data.forEach((row, i) => {
    const line = i + 2;
    const bad = badRows.get(i);
    if (bad) out.errors.push({ line, message: `Malformed CSV row: ${bad}` });
    else {
      out.records.push(rowToRecord(row));
      out.lines.push(line);
    }
  });
  return out;
}

function cellText(value: ExcelJS.CellValue): string {
  if (value == null) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    if ('richText' in value) return value.richText.map((r) => r.text).join('');
    if ('text' in value) return String(value.text);
    if ('result' in value) return value.result == null ? '' : cellText(value.result as ExcelJS.CellValue);
    if ('error' in value) return '';
  }
  return String(value);
}

/** First worksheet, header in row 1, same columns as CSV. */
export async function parseXlsx(bytes: Uint8Array): Promise<ParsedImport> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as never);
  } catch (err) {
    throw new DomainError('invalid_file', `Not a readable XLSX workbook: ${(err as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  const out: ParsedImport = { records: [], lines: [], errors: [] };
  if (!sheet) return out;
  const header: string[] = [];
  sheet.getRow(1).eachCell({ includeEmpty: true }, (cell, col) => (header[col] = cellText(cell.value).trim()));
  checkHeader(header.filter(Boolean));
  for (let r = 2; r <= sheet.rowCount; r++) {
    const row: Record<string, string> = {};
    let any = false;
    sheet.getRow(r).eachCell({ includeEmpty: false }, (cell, col) => {
      const key = header[col];
      if (!key) return;
      const text = cellText(cell.value);
      if (text.trim()) any = true;
      row[key] = text;
    });
    if (!any) continue;
    out.records.push(rowToRecord(row));
    out.lines.push(r);
  }
  return out;
}

export async function parseImportFile(bytes: Uint8Array, format: ImportFormat): Promise<ParsedImport> {
  if (format === 'xlsx') return parseXlsx(bytes);
  const text = decodeUtf8(bytes);
  return format === 'csv' ? parseCsv(text) : parseNdjson(text.replace(/^\uFEFF/, ''));
}
