import { getSchema, type JSONContent } from '@tiptap/core';
import { TableKit } from '@tiptap/extension-table';
import { DOMParser as PmDomParser, DOMSerializer, Node as PmNode, type Schema } from '@tiptap/pm/model';
import StarterKit from '@tiptap/starter-kit';
import { Callout } from './callout.ts';
import { Window } from 'happy-dom';
import { marked } from 'marked';
import sanitizeHtml from 'sanitize-html';

/** The editor's document schema; the app uses the same extensions so both sides agree. */
export const richTextExtensions = [StarterKit, TableKit, Callout];

export type RichDoc = JSONContent;

export interface RichBody {
  json: RichDoc;
  html: string;
  text: string;
}

// What an answer body may contain. Everything else (scripts, event handlers, styles, iframes,
// javascript: URLs) is dropped server-side whatever the client sent.
const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'h1', 'h2', 'h3', 'h4', 'strong', 'b', 'em', 'i', 's', 'u', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'colgroup', 'col', 'aside'],
  allowedAttributes: { a: ['href', 'target', 'rel'], th: ['colspan', 'rowspan'], td: ['colspan', 'rowspan'], ol: ['start'], aside: ['class', 'data-callout'] },
  allowedClasses: { aside: ['callout'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  // '//evil.example' (and '/\\evil.example', which browsers read the same way) leaves the site.
  allowProtocolRelative: false,
  transformTags: {
    a: (tagName, attribs) => {
      const out: Record<string, string> = { ...attribs, rel: 'noopener noreferrer nofollow', target: '_blank' };
      if (/^[\s\u0000-\u001f]*[\\/][\\/]/.test(out.href ?? '')) delete out.href;
      return { tagName, attribs: out };
    },
  },
};

export function sanitizeBodyHtml(html: string): string {
  return sanitizeHtml(html, sanitizeOptions);
}

/** Plain text of sanitised HTML: block elements become line breaks. */
export function htmlToText(html: string): string {
  const withBreaks = html.replace(/<\/(p|h[1-4]|li|blockquote|pre|tr|aside)>|<br\s*\/?>/gi, '\n');
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

// @tiptap/html's generateJSON/generateHTML build the schema and a fresh happy-dom Window on every
// call (~20 ms per body). One schema and one script-less Window, renewed every few thousand bodies so
// happy-dom's bookkeeping cannot grow without bound, make a body ~3 ms: it matters for bulk imports.
let schema: Schema | undefined;
let dom: { window: Window; uses: number } | undefined;
const WINDOW_USES = 2000;

function editorSchema(): Schema {
  return (schema ??= getSchema(richTextExtensions));
}

function domWindow(): Window {
  if (!dom || dom.uses >= WINDOW_USES) {
    if (dom) void dom.window.happyDOM.close();
    dom = {
      window: new Window({
        settings: {
          disableJavaScriptEvaluation: true,
          disableJavaScriptFileLoading: true,
          disableCSSFileLoading: true,
          disableIframePageLoading: true,
          disableComputedStyleRendering: true,
        },
      }),
      uses: 0,
    };
  }
  dom.uses++;
  return dom.window;
}

function htmlToDoc(html: string): RichDoc {
  const window = domWindow();
  const parsed = new window.DOMParser().parseFromString(`<!DOCTYPE html><html><body>${html}</body></html>`, 'text/html');
  return PmDomParser.fromSchema(editorSchema()).parse(parsed.body as never).toJSON() as RichDoc;
}

function docToHtml(json: RichDoc): string {
  const s = editorSchema();
  // Node.fromJSON validates against the schema: unknown node or mark types throw.
  const node = PmNode.fromJSON(s, json);
  const document = domWindow().document;
  const wrap = document.createElement('div');
  DOMSerializer.fromSchema(s).serializeFragment(node.content, { document: document as never }, wrap as never);
  return wrap.innerHTML;
}

/** From HTML (pasted, imported): sanitise, then parse into the editor schema and render back. */
export function richBodyFromHtml(html: string): RichBody {
  const json = htmlToDoc(sanitizeBodyHtml(html));
  const rendered = sanitizeBodyHtml(docToHtml(json));
  return { json, html: rendered, text: htmlToText(rendered) };
}

/**
 * From editor JSON: render with the schema (unknown nodes fail), sanitise, and store the JSON parsed
 * back from the sanitised HTML, so a javascript: link or a stray attribute in the client's JSON is
 * not kept in the document the editor loads next time either.
 */
export function richBodyFromJson(json: RichDoc): RichBody {
  const html = sanitizeBodyHtml(docToHtml(json));
  return { json: htmlToDoc(html), html, text: htmlToText(html) };
}

/** Import bodies are Markdown or HTML; HTML is detected by a leading tag. */
export function richBodyFromMarkdownOrHtml(source: string): RichBody {
  const trimmed = source.trim();
  const html = /^<[a-z][\s\S]*>/i.test(trimmed) ? trimmed : (marked.parse(trimmed, { async: false }) as string);
  return richBodyFromHtml(html);
}

// The bot's short variant lives with its structured derivation (pure, shared with the editor app).
export { deriveBotText } from './bot-text.ts';
