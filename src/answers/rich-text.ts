import { generateHTML, generateJSON } from '@tiptap/html';
import { TableKit } from '@tiptap/extension-table';
import StarterKit from '@tiptap/starter-kit';
import type { JSONContent } from '@tiptap/core';
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/** The editor's document schema; the app uses the same extensions so both sides agree. */
export const richTextExtensions = [StarterKit, TableKit];

export type RichDoc = JSONContent;

export interface RichBody {
  json: RichDoc;
  html: string;
  text: string;
}

// What an answer body may contain. Everything else (scripts, event handlers, styles, iframes,
// javascript: URLs) is dropped server-side whatever the client sent.
const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'h1', 'h2', 'h3', 'h4', 'strong', 'b', 'em', 'i', 's', 'u', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'colgroup', 'col'],
  allowedAttributes: { a: ['href', 'target', 'rel'], th: ['colspan', 'rowspan'], td: ['colspan', 'rowspan'], ol: ['start'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  transformTags: { a: sanitizeHtml.simpleTransform('a', { rel: 'noopener noreferrer nofollow', target: '_blank' }) },
};

export function sanitizeBodyHtml(html: string): string {
  return sanitizeHtml(html, sanitizeOptions);
}

/** Plain text of sanitised HTML: block elements become line breaks. */
export function htmlToText(html: string): string {
  const withBreaks = html.replace(/<\/(p|h[1-4]|li|blockquote|pre|tr)>|<br\s*\/?>/gi, '\n');
  const text = sanitizeHtml(withBreaks, { allowedTags: [], allowedAttributes: {} });
  return text
    .replace(/&nbsp;/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('\n');
}

/** From HTML (pasted, imported): sanitise, then parse into the editor schema and render back. */
export function richBodyFromHtml(html: string): RichBody {
  const json = generateJSON(sanitizeBodyHtml(html), richTextExtensions) as RichDoc;
  return richBodyFromJson(json);
}

/** From editor JSON: render with the schema (unknown nodes fail), then sanitise the result. */
export function richBodyFromJson(json: RichDoc): RichBody {
  const html = sanitizeBodyHtml(generateHTML(json, richTextExtensions));
  return { json, html, text: htmlToText(html) };
}

/** Import bodies are Markdown or HTML; HTML is detected by a leading tag. */
export function richBodyFromMarkdownOrHtml(source: string): RichBody {
  const trimmed = source.trim();
  const html = /^<[a-z][\s\S]*>/i.test(trimmed) ? trimmed : (marked.parse(trimmed, { async: false }) as string);
  return richBodyFromHtml(html);
}

/** The bot's short variant when the author wrote none: the first sentences, at most `max` chars. */
export function deriveBotText(text: string, max = 120): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (flat.length <= max) return flat;
  const cut = flat.slice(0, max);
  const end = Math.max(cut.lastIndexOf('。'), cut.lastIndexOf('. '), cut.lastIndexOf('！'), cut.lastIndexOf('？'));
  return end > max / 3 ? cut.slice(0, end + 1) : `${cut.slice(0, max - 1)}…`;
}
