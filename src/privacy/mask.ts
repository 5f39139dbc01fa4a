/**
 * Masks personal data in customer text before it is stored or logged (search log, bot transcripts,
 * feedback comments, and so everything analytics shows). Pure and deterministic: the same text
 * always masks the same way, so masked queries still group in the gap list.
 *
 * - bank card numbers: 13-19 digits passing the Luhn check, spaces or dashes allowed between digits
 *   -> first 4 and last 4 kept: `6222********1234`
 * - mainland resident ID numbers: 17 digits + check character (GB 11643 checksum) -> last 4 kept
 * - mainland mobile numbers: 1[3-9]x + 8 digits (optionally +86) -> `138****5678`
 * - e-mail addresses -> first character of the local part: `z***@example.com`
 * - other runs of 12 or more digits (account numbers that are not cards) -> last 4 kept
 *
 * Masked digits become `*`, so no masked run ever matches again: mask(mask(x)) === mask(x).
 */

const DIGIT = '[0-9０-９]';
// A run of digits with single spaces or dashes between them, optionally ending in an ID check X.
const NUMBER_RUN = new RegExp(`(?<![0-9０-９])(?:\\+?86[ -]?)?${DIGIT}(?:[ \\-]?${DIGIT}){10,}[Xx]?(?![0-9０-９])`, 'g');
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const MOBILE = /^1[3-9]\d{9}$/;

/** Full-width digits (０-９) as ASCII. */
function asciiDigits(s: string): string {
  return s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0));
}

/** Luhn checksum (ISO/IEC 7812), as card numbers carry it. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = '10X98765432';

/** GB 11643-1999: an 18-character resident ID number with a valid check character. */
export function residentIdValid(id: string): boolean {
  if (!/^\d{17}[\dXx]$/.test(id)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (id.charCodeAt(i) - 48) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11] === id[17]!.toUpperCase();
}

const stars = (n: number) => '*'.repeat(Math.max(0, n));

function maskNumber(run: string): string {
  const plain = asciiDigits(run);
  const withPrefix = plain.replace(/[ -]/g, '');
  // A leading +86 / 86 belongs to a mobile number only; keep it out of the other checks.
  const prefix = /^\+?86/.exec(withPrefix)?.[0] ?? '';
  const rest = withPrefix.slice(prefix.length);
  if (prefix && MOBILE.test(rest)) return `${prefix}${rest.slice(0, 3)}****${rest.slice(-4)}`;
  const digits = withPrefix.replace(/^\+/, '');
  if (digits.length === 18 && residentIdValid(digits)) return `${stars(14)}${digits.slice(-4)}`;
  if (!/^\d+$/.test(digits)) {
    // A trailing X that is not an ID check character: mask the digits, keep the X.
    return `${maskNumber(run.replace(/[Xx]$/, ''))}${run.slice(-1)}`;
  }
  if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) return `${digits.slice(0, 4)}${stars(digits.length - 8)}${digits.slice(-4)}`;
  if (MOBILE.test(digits)) return `${digits.slice(0, 3)}****${digits.slice(-4)}`;
  if (digits.length >= 12) return `${stars(digits.length - 4)}${digits.slice(-4)}`;
  return run;
}

function maskEmail(email: string): string {
  const at = email.indexOf('@');
  return `${email[0]}***${email.slice(at)}`;
}

/** The text with card, ID, mobile and account numbers and e-mail addresses masked. */
export function maskPersonalData(text: string): string {
  if (!text) return text;
  return text.replace(EMAIL, maskEmail).replace(NUMBER_RUN, maskNumber);
}

/** maskPersonalData for optional values. */
export function maskOptional<T extends string | null | undefined>(text: T): T {
  return (typeof text === 'string' ? maskPersonalData(text) : text) as T;
}
