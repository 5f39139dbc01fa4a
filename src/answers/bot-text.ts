import type { JSONContent } from '@tiptap/core';

/**
 * The chatbot's short answer when the author wrote none, derived from the body's structure (pure:
 * the editor app imports it for its preview, so both sides derive the same text):
 * paragraphs and headings are lines, list items are "• item" / "1. item" lines, and a table is
 * one line per row that names its columns ("卡种：借记卡；手续费：12元/笔"), so a chat bubble
 * never shows a table flattened into run-on text.
 */
export function botTextOfDoc(doc: JSONContent | null | undefined, max = 120): string {
  return deriveBotText(docLines(doc).join('\n'), max);
}

/** The readable lines of a document (see botTextOfDoc). */
export function docLines(doc: JSONContent | null | undefined): string[] {
  const lines: string[] = [];
  const inline = (n: JSONContent): string => (n.type === 'text' ? (n.text ?? '') : n.type === 'hardBreak' ? ' ' : (n.content ?? []).map(inline).join(''));
  const cellText = (cell: JSONContent) => (cell.content ?? []).map(inline).map((s) => s.trim()).filter(Boolean).join(' ');
  const walk = (n: JSONContent, prefix = '') => {
    switch (n.type) {
      case 'paragraph':
      case 'heading':
      case 'codeBlock': {
        const t = inline(n).trim();
        if (t) lines.push(prefix + t);
        return;
      }
      case 'bulletList':
      case 'orderedList': {
        let i = Number((n.attrs as { start?: number } | undefined)?.start) || 1;
        for (const item of n.content ?? []) {
          const marker = n.type === 'bulletList' ? '• ' : `${i++}. `;
          // The item's first block carries the marker; nested lists follow, indented by nothing (chat has no layout).
          (item.content ?? []).forEach((child, k) => walk(child, k === 0 ? marker : ''));
        }
        return;
      }
      case 'table': {
        const rows = (n.content ?? []).map((row) => ({ header: (row.content ?? []).every((c) => c.type === 'tableHeader'), cells: (row.content ?? []).map(cellText) }));
        const head = rows[0]?.header ? rows[0].cells : null;
        for (const row of head ? rows.slice(1) : rows) {
          const parts = row.cells.map((c, i) => (head?.[i] && c ? `${head[i]}：${c}` : c)).filter(Boolean);
          if (parts.length) lines.push(parts.join('；'));
        }
        return;
      }
      default:
        for (const child of n.content ?? []) walk(child, prefix);
    }
  };
  if (doc) walk(doc);
  return lines;
}

/**
 * The bot's short variant of a text: the first lines/sentences, at most `max` characters. Line
 * breaks are kept (list items and table rows stay one per line); a cut falls at a line end or a
 * sentence end when one is near enough, else mid-sentence with an ellipsis.
 */
export function deriveBotText(text: string, max = 120): string {
  const flat = text
    .split('\n')
    .map((l) => l.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n');
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const end = Math.max(cut.lastIndexOf('\n') - 1, cut.lastIndexOf('。'), cut.lastIndexOf('. '), cut.lastIndexOf('！'), cut.lastIndexOf('？'));
  return end > max / 3 ? cut.slice(0, end + 1).trim() : `${cut.slice(0, max - 1)}…`;
}
