import { normaliseText } from './normalise.ts';
import { segment, stemWord } from './segment.ts';
import { isStopWord } from './stop-words.ts';

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

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

/**
 * A short excerpt of `text` around the densest cluster of matches, HTML-escaped, with the matched
 * words wrapped in <mark>. Falls back to the start of the text when nothing matches.
 */
export function makeSnippet(text: string, pattern: RegExp | null, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const matches = pattern ? [...flat.matchAll(pattern)].filter((m) => m[0].length > 0) : [];
  let start = 0;
  if (matches.length > 0) {
    // Window that covers the most matches.
    let bestCount = 0;
    for (const m of matches) {
      const from = Math.max(0, m.index! - 20);
      const count = matches.filter((x) => x.index! >= from && x.index! + x[0].length <= from + max).length;
      if (count > bestCount) {
        bestCount = count;
        start = from;
      }
    }
  }
  const end = Math.min(flat.length, start + max);
  const windowText = flat.slice(start, end);
  let out = '';
  let last = 0;
  if (pattern) {
    for (const m of windowText.matchAll(pattern)) {
      if (m[0].length === 0) continue;
      out += escapeHtml(windowText.slice(last, m.index)) + `<mark>${escapeHtml(m[0])}</mark>`;
      last = m.index! + m[0].length;
    }
  }
  out += escapeHtml(windowText.slice(last));
  return `${start > 0 ? '…' : ''}${out}${end < flat.length ? '…' : ''}`;
}
