import type { JSONContent } from '@tiptap/core';
import { TableKit } from '@tiptap/extension-table';
import StarterKit from '@tiptap/starter-kit';
import { Callout } from '$server/answers/callout.ts';

/**
 * The same document schema as the server (src/answers/rich-text.ts: [StarterKit, TableKit, Callout]), so what
 * the editor produces is exactly what the server accepts. Options here change behaviour only, never
 * the schema: links do not open while editing; tables are not column-resizable (no widths stored).
 */
export const editorExtensions = [
  StarterKit.configure({ link: { openOnClick: false, autolink: true, protocols: ['http', 'https', 'mailto', 'tel'] } }),
  TableKit.configure({ table: { resizable: false } }),
  Callout,
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

// The bot's short text is derived by the server's own pure function (lists and tables line by line).
export { botTextOfDoc } from '$server/answers/bot-text.ts';
