import Papa from 'papaparse';
import { guardFormula } from '../spreadsheet-cell.ts';

/**
 * A table as CSV for spreadsheets: UTF-8 with a BOM (Excel otherwise garbles Chinese), arrays joined
 * with " | ", objects flattened to their name/title, and cells that start with = + - @ prefixed with
 * a quote so a customer's query can never run as a formula.
 */
export function toCsv(rows: Record<string, unknown>[], columns: string[]): string {
  const cell = (v: unknown): string | number => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'number') return v;
    if (Array.isArray(v)) return guardFormula(v.map((x) => (typeof x === 'object' && x ? ((x as { query?: string }).query ?? JSON.stringify(x)) : String(x))).join(' | '));
    if (typeof v === 'object') {
      const o = v as { name?: string; title?: string };
      return guardFormula(o.name ?? o.title ?? JSON.stringify(v));
    }
    return guardFormula(String(v));
  };
  const data = rows.map((r) => columns.map((c) => cell(r[c])));
  return `\ufeff${Papa.unparse({ fields: columns, data }, { newline: '\r\n' })}`;
}

