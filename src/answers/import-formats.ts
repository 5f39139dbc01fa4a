import { inflateRawSync } from 'node:zlib';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import { DomainError } from '../errors.ts';
import { MAX_IMPORT_ERRORS, MAX_IMPORT_RECORDS } from '../input.ts';
import { unguardFormula } from '../spreadsheet-cell.ts';
import type { ImportError } from './import.ts';

export type ImportFormat = 'ndjson' | 'csv' | 'xlsx';

/** Records read from a file, each with its line (NDJSON) or row (CSV/XLSX, header = row 1). */
export interface ParsedImport {
  records: unknown[];
  lines: number[];
  /** The first MAX_IMPORT_ERRORS parse errors; errorsDropped counts the others. */
  errors: ImportError[];
  errorsDropped?: number;
}

function addError(out: ParsedImport, line: number, message: string): void {
  if (out.errors.length < MAX_IMPORT_ERRORS) out.errors.push({ line, message: message.length > 200 ? `${message.slice(0, 200)}…` : message });
  else out.errorsDropped = (out.errorsDropped ?? 0) + 1;
}

const tooManyRecords = () =>
  new DomainError('too_many_records', `An import may hold at most ${MAX_IMPORT_RECORDS} records; split the file / 单次导入最多 ${MAX_IMPORT_RECORDS} 条`);

/**
 * Bounds of an XLSX workbook, checked before it is unpacked: a zip bomb (a small file that
 * inflates to gigabytes) is refused while inflating, at the first byte beyond the bound.
 */
export const XLSX_LIMITS = { uncompressedBytes: 64 * 1024 * 1024, entries: 2_000, cells: 2_000_000 };

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
  let count = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (!raw.trim()) return;
    if (++count > MAX_IMPORT_RECORDS) throw tooManyRecords();
    try {
      const value: unknown = JSON.parse(raw);
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        addError(out, line, 'Each line must be one JSON object');
        return;
      }
      out.records.push(value);
      out.lines.push(line);
    } catch (err) {
      addError(out, line, `Malformed JSON: ${(err as Error).message.slice(0, 80)}`);
    }
  });
  return out;
}

const splitQuestions = (s: string) => s.split(/\r?\n|\|/);
const splitList = (s: string) => s.split(/[|,，、\n]/);

/** A spreadsheet row (column -> cell text) as an import record; empty cells are left out. */
function rowToRecord(row: Record<string, string>, unguard = false): Record<string, unknown> {
  const record: Record<string, unknown> = {};
  for (const [key, cell] of Object.entries(row)) {
    const raw = unguard && typeof cell === 'string' ? unguardFormula(cell) : cell;
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
  const parsed = Papa.parse<Record<string, string>>(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: 'greedy', transformHeader: (h) => h.trim(), preview: MAX_IMPORT_RECORDS + 1 });
  checkHeader(parsed.meta.fields ?? []);
  if (parsed.data.length > MAX_IMPORT_RECORDS) throw tooManyRecords();
  const badRows = new Map<number, string>();
  for (const e of parsed.errors) if (e.row != null) badRows.set(e.row, `${e.code}: ${e.message}`);
  parsed.data.forEach((row, i) => {
    const line = i + 2;
    const bad = badRows.get(i);
    if (bad) addError(out, line, `Malformed CSV row: ${bad}`);
    else {
      // CSV exports guard formula-like cells with an apostrophe (spreadsheet-cell.ts); undo it.
      out.records.push(rowToRecord(row, true));
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
  checkZipBounds(bytes);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(Buffer.from(bytes) as never);
  } catch (err) {
    throw new DomainError('invalid_file', `Not a readable XLSX workbook: ${(err as Error).message}`);
  }
  const sheet = workbook.worksheets[0];
  const out: ParsedImport = { records: [], lines: [], errors: [] };
  if (!sheet) return out;
  if (sheet.rowCount - 1 > MAX_IMPORT_RECORDS) throw tooManyRecords();
  if (sheet.rowCount * sheet.columnCount > XLSX_LIMITS.cells) throw xlsxTooLarge(`more than ${XLSX_LIMITS.cells} cells`);
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

const xlsxTooLarge = (why: string) =>
  new DomainError('xlsx_too_large', `The workbook is too large to import (${why}); split it or use CSV/NDJSON`);
const notXlsx = (why: string) => new DomainError('invalid_file', `Not a readable XLSX workbook: ${why}`);

/**
 * Reads the zip's central directory and inflates every entry with an output cap, so the real
 * uncompressed size (not the size the archive claims) stays within XLSX_LIMITS before ExcelJS
 * unpacks the workbook into memory. Zip64 archives are refused (they are far above the bound).
 */
function checkZipBounds(bytes: Uint8Array): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 65_535); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notXlsx('not a zip archive');
  const entries = view.getUint16(eocd + 10, true);
  const cdOffset = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || cdOffset === 0xffffffff) throw xlsxTooLarge('zip64 archive');
  if (entries > XLSX_LIMITS.entries) throw xlsxTooLarge(`${entries} files in the archive`);
  let budget = XLSX_LIMITS.uncompressedBytes;
  let p = cdOffset;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== 0x02014b50) throw notXlsx('damaged zip directory');
    const method = view.getUint16(p + 10, true);
    const compressed = view.getUint32(p + 20, true);
    const declared = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const local = view.getUint32(p + 42, true);
    p += 46 + nameLength + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
    if (declared === 0xffffffff || compressed === 0xffffffff) throw xlsxTooLarge('zip64 entry');
    if (declared > budget) throw xlsxTooLarge(`more than ${XLSX_LIMITS.uncompressedBytes / 1024 / 1024} MB uncompressed`);
    if (local + 30 > bytes.length || view.getUint32(local, true) !== 0x04034b50) throw notXlsx('damaged zip entry');
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    if (start + compressed > bytes.length) throw notXlsx('truncated zip entry');
    let actual = compressed;
    if (method === 8) {
      try {
        actual = inflateRawSync(bytes.subarray(start, start + compressed), { maxOutputLength: Math.max(1, budget) }).length;
      } catch (err) {
        if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw xlsxTooLarge(`more than ${XLSX_LIMITS.uncompressedBytes / 1024 / 1024} MB uncompressed`);
        throw notXlsx('damaged compressed data');
      }
    } else if (method !== 0) throw notXlsx(`unsupported zip compression method ${method}`);
    budget -= actual;
    if (budget < 0) throw xlsxTooLarge(`more than ${XLSX_LIMITS.uncompressedBytes / 1024 / 1024} MB uncompressed`);
  }
}

export async function parseImportFile(bytes: Uint8Array, format: ImportFormat): Promise<ParsedImport> {
  if (format === 'xlsx') return parseXlsx(bytes);
  const text = decodeUtf8(bytes);
  return format === 'csv' ? parseCsv(text) : parseNdjson(text.replace(/^\uFEFF/, ''));
}
