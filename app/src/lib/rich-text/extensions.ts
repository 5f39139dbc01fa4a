import type { JSONContent } from '@tiptap/core';
import { TableKit } from '@tiptap/extension-table';
import StarterKit from '@tiptap/starter-kit';

/**
 * The same document schema as the server (src/answers/rich-text.ts: [StarterKit, TableKit]), so what
 * the editor produces is exactly what the server accepts. Options here change behaviour only, never
 * the schema: links do not open while editing; tables are not column-resizable (no widths stored).
 */
export const editorExtensions = [
  StarterKit.configure({ link: { openOnClick: false, autolink: true, protocols: ['http', 'https', 'mailto', 'tel'] } }),
  TableKit.configure({ table: { resizable: false } }),
];

export const emptyDoc = (): JSONContent => ({ type: 'doc', content: [{ type: 'paragraph' }] });

const BLOCKS = new Set(['paragraph', 'heading', 'listItem', 'blockquote', 'codeBlock', 'tableRow', 'horizontalRule']);

/** Plain text of an editor document, one line per block (for previews and client-side compares). */
export function docText(doc: JSONContent | null | undefined): string {
  const lines: string[] = [];
  let current = '';
  const walk = (node: JSONContent) => {
    if (node.type === 'text') current += node.text ?? '';
    else if (node.type === 'hardBreak') current += '\n';
    else if (node.type === 'tableCell' || node.type === 'tableHeader') current += current ? ' | ' : '';
    for (const child of node.content ?? []) walk(child);
    if (node.type && BLOCKS.has(node.type) && current.trim()) {
      lines.push(current.trim());
      current = '';
    }
  };
  if (doc) walk(doc);
  if (current.trim()) lines.push(current.trim());
  return lines.join('\n');
}

/** Mirrors the server's deriveBotText: the chatbot's short variant when the author wrote none. */
export function deriveBotText(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const end = Math.max(cut.lastIndexOf('。'), cut.lastIndexOf('. '), cut.lastIndexOf('！'), cut.lastIndexOf('？'));
  return end > max / 3 ? cut.slice(0, end + 1) : `${cut.slice(0, max - 1)}…`;
}
