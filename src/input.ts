import { z } from 'zod';

/**
 * The input policy every way in shares (HTTP API, import files, CLI): text is well-formed Unicode
 * without NUL (PostgreSQL cannot store U+0000; an unpaired UTF-16 surrogate has no UTF-8 form),
 * dates are strict ISO 8601 within a sane range, and the documented size limits hold.
 */

/** Longest answer body accepted as Markdown/HTML source (API, import, editor). */
export const MAX_BODY_SOURCE_CHARS = 200_000;
/** Longest plain text an answer body may render to (what search indexes and highlights). */
export const MAX_BODY_TEXT_CHARS = 50_000;
/** Records (NDJSON lines, CSV/XLSX rows) one import request may hold. */
export const MAX_IMPORT_RECORDS = 100_000;
/** Per-line errors an import reports in full; the rest are counted (errorCount). */
export const MAX_IMPORT_ERRORS = 1_000;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Why a string cannot be stored as text, or null when it can. */
export function textProblem(s: string): string | null {
  if (s.includes('\u0000')) return 'must not contain a NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (it contains an unpaired UTF-16 surrogate)';
  return null;
}

export interface FieldProblem {
  path: string;
  message: string;
}

const MAX_DEPTH = 64;

/**
 * The first string (or object key) anywhere in a JSON value that breaks the text policy, with its
 * path ('similarQuestions.2'); also refuses nesting deeper than 64 levels.
 */
export function findTextProblem(value: unknown, path: string[] = []): FieldProblem | null {
  if (path.length > MAX_DEPTH) return { path: path.slice(0, 8).join('.') + '…', message: `nesting deeper than ${MAX_DEPTH} levels` };
  if (typeof value === 'string') {
    const problem = textProblem(value);
    return problem ? { path: path.join('.'), message: problem } : null;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findTextProblem(value[i], [...path, String(i)]);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === 'object') {
    for (const [key, v] of Object.entries(value)) {
      const keyProblem = textProblem(key);
      if (keyProblem) return { path: [...path, shortened(key)].join('.'), message: `field name ${keyProblem}` };
      const found = findTextProblem(v, [...path, key]);
      if (found) return found;
    }
  }
  return null;
}

/** A field name or value quoted in an error message, cut so that messages stay short. */
export function shortened(s: string, max = 60): string {
  const safe = s.replace(/[\u0000-\u001f\uD800-\uDFFF]/g, '\uFFFD');
  return safe.length > max ? `${safe.slice(0, max)}…` : safe;
}

export const MIN_YEAR = 1900;
export const MAX_YEAR = 9999;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const ISO_DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses a strict ISO 8601 date (2026-12-01, midnight UTC) or date-time with an offset
 * (2026-12-01T08:00:00+08:00 / ...Z) whose year lies in 1900..9999; null when it is not one.
 * Loose forms that Date.parse accepts ('1', 'Dec 1') are refused.
 */
export function parseIsoInstant(s: string, opts: { dateOnly?: boolean } = {}): Date | null {
  const m = ISO_DATE.exec(s) ?? (opts.dateOnly ? null : ISO_DATE_TIME.exec(s));
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year < MIN_YEAR || year > MAX_YEAR || month < 1 || month > 12 || day < 1) return null;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59)) return null;
  const date = new Date(m[4] === undefined ? `${s}T00:00:00Z` : s);
  return Number.isNaN(date.getTime()) ? null : date;
}

const instantMessage = `must be an ISO 8601 date (2026-12-01) or date-time with offset (2026-12-01T08:00:00+08:00), years ${MIN_YEAR}-${MAX_YEAR}`;

/** Zod: a strict ISO 8601 date or date-time string (kept as the string). */
export const isoInstantString = z
  .string()
  .max(40, instantMessage)
  .refine((s) => parseIsoInstant(s) !== null, instantMessage);

/** Zod: a strict ISO 8601 date only (YYYY-MM-DD) in the sane range. */
export const isoDateString = z
  .string()
  .max(10, `must be an ISO 8601 date (YYYY-MM-DD), years ${MIN_YEAR}-${MAX_YEAR}`)
  .refine((s) => parseIsoInstant(s, { dateOnly: true }) !== null, `must be an ISO 8601 date (YYYY-MM-DD), years ${MIN_YEAR}-${MAX_YEAR}`);
