import { normaliseText } from './normalise.ts';
import { segment, stemWord } from './segment.ts';
import { isStopWord } from './stop-words.ts';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// Bounds per result, whatever the answer's size: the text scanned for matches and the matches kept.
// A body longer than this is excerpted from its first MAX_SCAN_CHARS characters (published bodies of
// 40,000 characters used to stall every request for seconds; the window search is now linear too).
export const MAX_SCAN_CHARS = 50_000;
const MAX_MATCHES = 5_000;

/** A regex matching the query's meaningful words in answer text: Chinese words literally, English by stem prefix. */
export function highlightPattern(query: string, extraPhrases: string[] = []): RegExp | null {
  const words = new Set<string>();
  for (const w of segment(normaliseText(query))) if (!isStopWord(w) && w.length > 0) words.add(w);
  for (const p of extraPhrases) words.add(normaliseText(p));
  const parts = [...words]
    .filter((w) => w.length > 0)
    .sort((a, b) => b.length - a.length)
    .map((w) => (/^[a-z0-9'’]+$/.test(w) ? `\\b${escapeRe(stemWord(w) || w)}[\\p{L}\\p{N}]*` : escapeRe(w)));
  if (parts.length === 0) return null;
  return new RegExp(parts.slice(0, 50).join('|'), 'giu');
}

/** Collapses whitespace runs to one space and trims, reading at most `limit` characters of `text`. */
function flatten(text: string, limit: number): { flat: string; truncated: boolean } {
  const truncated = text.length > limit;
  const flat = (truncated ? text.slice(0, limit) : text).replace(/\s+/g, ' ').trim();
  return { flat, truncated };
}

/** Non-empty matches of `pattern` in `text`, in order (start, end), at most MAX_MATCHES. */
function matchSpans(text: string, pattern: RegExp): { starts: number[]; ends: number[] } {
  const starts: number[] = [];
  const ends: number[] = [];
  const re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  let m: RegExpExecArray | null;
  while (starts.length < MAX_MATCHES && (m = re.exec(text)) !== null) {
    if (m[0].length === 0) {
      re.lastIndex++;
      continue;
    }
    starts.push(m.index);
    ends.push(m.index + m[0].length);
  }
  return { starts, ends };
}

/**
 * The start of the `max`-character window that holds the most whole matches, trying a window that
 * begins 20 characters before each match (the first such window wins a tie). Matches are ordered and
 * do not overlap, so both their starts and their ends increase: two pointers find each window's
 * count in one pass, O(matches).
 */
export function densestWindowStart(starts: readonly number[], ends: readonly number[], max: number): number {
  let best = 0;
  let bestCount = 0;
  let lo = 0; // first match starting at or after the window's start
  let hi = 0; // first match ending after the window's end
  for (let i = 0; i < starts.length; i++) {
    const from = Math.max(0, starts[i]! - 20);
    while (lo < starts.length && starts[lo]! < from) lo++;
    if (hi < lo) hi = lo;
    while (hi < ends.length && ends[hi]! <= from + max) hi++;
    const count = hi - lo;
    if (count > bestCount) {
      bestCount = count;
      best = from;
    }
  }
  return best;
}

/**
 * A short excerpt of `text` around the densest cluster of matches, HTML-escaped, with the matched
 * words wrapped in <mark>. Falls back to the start of the text when nothing matches. Linear in the
 * text's length and bounded per result (MAX_SCAN_CHARS, MAX_MATCHES), so a huge answer costs
 * milliseconds, not seconds.
 */
export function makeSnippet(text: string, pattern: RegExp | null, max = 160): string {
  const { flat, truncated } = flatten(text, MAX_SCAN_CHARS);
  let start = 0;
  if (pattern) {
    const { starts, ends } = matchSpans(flat, pattern);
    start = densestWindowStart(starts, ends, max);
  }
  const end = Math.min(flat.length, start + max);
  const windowText = flat.slice(start, end);
  let out = '';
  let last = 0;
  if (pattern) {
    const { starts, ends } = matchSpans(windowText, pattern);
    for (let i = 0; i < starts.length; i++) {
      out += escapeHtml(windowText.slice(last, starts[i])) + `<mark>${escapeHtml(windowText.slice(starts[i], ends[i]))}</mark>`;
      last = ends[i]!;
    }
  }
  out += escapeHtml(windowText.slice(last));
  return `${start > 0 ? '…' : ''}${out}${end < flat.length || truncated ? '…' : ''}`;
}
