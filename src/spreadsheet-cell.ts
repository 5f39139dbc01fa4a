/**
 * CSV formula injection (CWE-1236): a cell that starts with = + - @ (or a tab / carriage return)
 * runs as a formula when the file is opened in Excel or LibreOffice. Every CSV the service writes
 * (answer export, analytics) passes text cells through guardFormula, which prefixes such cells
 * with an apostrophe; a cell that already starts with apostrophes before such a character gets one
 * more, so that unguardFormula (used when a CSV is imported) gives back the exact original text.
 */
const FORMULA_START = /^'*[=+\-@\t\r]/;

export function guardFormula(s: string): string {
  return FORMULA_START.test(s) ? `'${s}` : s;
}

export function unguardFormula(s: string): string {
  return s.startsWith("'") && FORMULA_START.test(s) ? s.slice(1) : s;
}
