import { diffArrays } from 'diff';
import sanitizeHtml from 'sanitize-html';
import type { RichDoc } from './rich-text.ts';

/** One step of a text diff (the shape of diff.ts's BodyOp, passed in to keep the modules acyclic). */
export interface TextOp {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}
export type TextDiffer = (before: string, after: string) => TextOp[];

/**
 * The formatted diff of two answer bodies: the new body rendered as rich text (headings, lists,
 * tables, bold...) with what changed marked. Structure is compared node by node (a table row by
 * row and cell by cell, a list item by item), so one changed table cell is one marked cell, not a
 * changed table. Inside a changed paragraph or cell the text is diffed (<ins>/<del>); a block whose
 * text is the same but whose formatting changed (bold added, heading level) is marked as such
 * (class diff-format); removed blocks are kept, struck through (class diff-del), added ones are
 * marked (class diff-ins).
 */
export function formattedBodyDiff(before: RichDoc, after: RichDoc, textDiff: TextDiffer): string {
  return sanitizeHtml(diffChildren(before.content ?? [], after.content ?? [], textDiff), sanitizeOptions);
}

/** An answer body rendered with every block marked as added (a new answer's first version). */
export function formattedBodyInsert(doc: RichDoc): string {
  return sanitizeHtml((doc.content ?? []).map((n) => render(n, 'diff-ins')).join(''), sanitizeOptions);
}

const sanitizeOptions: sanitizeHtml.IOptions = {
  allowedTags: ['p', 'br', 'h1', 'h2', 'h3', 'h4', 'strong', 'em', 's', 'u', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'hr', 'table', 'tbody', 'tr', 'th', 'td', 'ins', 'del', 'aside', 'div', 'img'],
  allowedAttributes: { '*': ['class'], a: ['href', 'class'], th: ['colspan', 'rowspan', 'class'], td: ['colspan', 'rowspan', 'class'], ol: ['start', 'class'], aside: ['class', 'data-callout'], img: ['src', 'alt', 'class'] },
  allowedClasses: { '*': ['diff-ins', 'diff-del', 'diff-format', 'callout', 'callout-info', 'callout-warning'] },
  allowedSchemes: ['http', 'https', 'mailto', 'tel'],
  allowedSchemesByTag: { img: ['http', 'https'] },
  allowProtocolRelative: false,
};

const TEXTBLOCKS = new Set(['paragraph', 'heading', 'codeBlock']);
const VOID = new Set(['horizontalRule', 'hardBreak', 'image']);

const signature = (n: RichDoc) => JSON.stringify(n);

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function tagOf(n: RichDoc): { name: string; attrs: string } {
  const a = (n.attrs ?? {}) as Record<string, unknown>;
  const span = `${Number(a.colspan) > 1 ? ` colspan="${Number(a.colspan)}"` : ''}${Number(a.rowspan) > 1 ? ` rowspan="${Number(a.rowspan)}"` : ''}`;
  switch (n.type) {
    case 'paragraph':
      return { name: 'p', attrs: '' };
    case 'heading':
      return { name: `h${Math.min(4, Math.max(1, Number(a.level) || 2))}`, attrs: '' };
    case 'bulletList':
      return { name: 'ul', attrs: '' };
    case 'orderedList':
      return { name: 'ol', attrs: Number(a.start) > 1 ? ` start="${Number(a.start)}"` : '' };
    case 'listItem':
      return { name: 'li', attrs: '' };
    case 'blockquote':
      return { name: 'blockquote', attrs: '' };
    case 'codeBlock':
      return { name: 'pre', attrs: '' };
    case 'table':
      return { name: 'table', attrs: '' };
    case 'tableRow':
      return { name: 'tr', attrs: '' };
    case 'tableCell':
      return { name: 'td', attrs: span };
    case 'tableHeader':
      return { name: 'th', attrs: span };
    case 'horizontalRule':
      return { name: 'hr', attrs: '' };
    case 'hardBreak':
      return { name: 'br', attrs: '' };
    case 'callout':
      return { name: 'aside', attrs: ` data-callout="${a.kind === 'warning' ? 'warning' : 'info'}"` };
    case 'image':
      return { name: 'img', attrs: ` src="${escapeHtml(String(a.src ?? ''))}" alt="${escapeHtml(String(a.alt ?? ''))}"` };
    default:
      return { name: 'div', attrs: '' };
  }
}

function classAttr(n: RichDoc, cls: string | undefined): string {
  const classes = [n.type === 'callout' ? `callout callout-${(n.attrs as { kind?: string } | undefined)?.kind === 'warning' ? 'warning' : 'info'}` : '', cls ?? ''].filter(Boolean);
  return classes.length ? ` class="${classes.join(' ')}"` : '';
}

function renderText(n: RichDoc): string {
  let html = escapeHtml(n.text ?? '');
  for (const mark of n.marks ?? []) {
    if (mark.type === 'bold') html = `<strong>${html}</strong>`;
    else if (mark.type === 'italic') html = `<em>${html}</em>`;
    else if (mark.type === 'strike') html = `<s>${html}</s>`;
    else if (mark.type === 'underline') html = `<u>${html}</u>`;
    else if (mark.type === 'code') html = `<code>${html}</code>`;
    else if (mark.type === 'link') html = `<a href="${escapeHtml(String((mark.attrs as { href?: string } | undefined)?.href ?? ''))}">${html}</a>`;
  }
  return html;
}

function open(n: RichDoc, cls?: string): string {
  const { name, attrs } = tagOf(n);
  return `<${name}${attrs}${classAttr(n, cls)}>${n.type === 'table' ? '<tbody>' : ''}`;
}
function close(n: RichDoc): string {
  const { name } = tagOf(n);
  return `${n.type === 'table' ? '</tbody>' : ''}</${name}>`;
}

function render(n: RichDoc, cls?: string): string {
  if (n.type === 'text') return cls === 'diff-del' ? `<del>${renderText(n)}</del>` : cls === 'diff-ins' ? `<ins>${renderText(n)}</ins>` : renderText(n);
  if (VOID.has(n.type ?? '')) {
    const { name, attrs } = tagOf(n);
    return `<${name}${attrs}${classAttr(n, cls)}>`;
  }
  return open(n, cls) + (n.content ?? []).map((c) => render(c)).join('') + close(n);
}

function inlineText(n: RichDoc): string {
  if (n.type === 'text') return n.text ?? '';
  if (n.type === 'hardBreak') return '\n';
  return (n.content ?? []).map(inlineText).join('');
}

/** Each character of a textblock with the marks it carries (so a changed paragraph keeps its bold and links). */
function markedChars(n: RichDoc): { ch: string; marks: RichDoc['marks'] }[] {
  const out: { ch: string; marks: RichDoc['marks'] }[] = [];
  for (const child of n.content ?? []) {
    if (child.type === 'text') for (const ch of child.text ?? '') out.push({ ch, marks: child.marks });
    else if (child.type === 'hardBreak') out.push({ ch: '\n', marks: undefined });
  }
  return out;
}

/** Text ops rendered with the marks of the characters they cover (new text: the new marks; deleted: the old). */
function renderInlineDiff(a: RichDoc, b: RichDoc, ops: TextOp[]): string {
  const before = markedChars(a);
  const after = markedChars(b);
  let ai = 0;
  let bi = 0;
  let out = '';
  for (const op of ops) {
    const length = [...op.text].length;
    const source = op.op === 'delete' ? before.slice(ai, ai + length) : after.slice(bi, bi + length);
    if (op.op !== 'insert') ai += length;
    if (op.op !== 'delete') bi += length;
    // Runs of characters with the same marks become one text node.
    let html = '';
    let run = '';
    let runMarks: RichDoc['marks'] = undefined;
    const flush = () => {
      if (run) html += run === '\n' ? '<br>' : renderText({ type: 'text', text: run, marks: runMarks });
      run = '';
    };
    for (const c of source) {
      if (c.ch === '\n' || JSON.stringify(c.marks) !== JSON.stringify(runMarks)) {
        flush();
        runMarks = c.marks;
      }
      run += c.ch;
      if (c.ch === '\n') flush();
    }
    flush();
    out += op.op === 'equal' ? html : op.op === 'insert' ? `<ins>${html}</ins>` : `<del>${html}</del>`;
  }
  return out;
}

function diffNode(a: RichDoc, b: RichDoc, textDiff: TextDiffer): string {
  if (signature(a) === signature(b)) return render(b);
  const sameShape = a.type === b.type && (a.type !== 'callout' || JSON.stringify(a.attrs) === JSON.stringify(b.attrs));
  if (!sameShape) return render(a, 'diff-del') + render(b, 'diff-ins');
  if (TEXTBLOCKS.has(b.type ?? '')) {
    const before = inlineText(a);
    const after = inlineText(b);
    // Same words, other formatting (bold, a link, the heading level): show the new form, marked.
    if (before === after) return render(b, 'diff-format');
    return open(b) + renderInlineDiff(a, b, textDiff(before, after)) + close(b);
  }
  if (VOID.has(b.type ?? '')) return render(a, 'diff-del') + render(b, 'diff-ins');
  const attrsChanged = JSON.stringify(a.attrs ?? {}) !== JSON.stringify(b.attrs ?? {});
  return open(b, attrsChanged ? 'diff-format' : undefined) + diffChildren(a.content ?? [], b.content ?? [], textDiff) + close(b);
}

/** Children aligned by content; a removed run followed by an added run is compared pairwise. */
function diffChildren(before: RichDoc[], after: RichDoc[], textDiff: TextDiffer): string {
  const changes = diffArrays(before.map(signature), after.map(signature));
  let ai = 0;
  let bi = 0;
  let out = '';
  let removed: RichDoc[] = [];
  const flushRemoved = () => {
    for (const n of removed) out += render(n, 'diff-del');
    removed = [];
  };
  for (const change of changes) {
    const count = change.count ?? change.value.length;
    if (change.removed) {
      removed.push(...before.slice(ai, ai + count));
      ai += count;
    } else if (change.added) {
      const added = after.slice(bi, bi + count);
      bi += count;
      const paired = Math.min(removed.length, added.length);
      for (let i = 0; i < paired; i++) out += diffNode(removed[i]!, added[i]!, textDiff);
      for (const n of removed.slice(paired)) out += render(n, 'diff-del');
      for (const n of added.slice(paired)) out += render(n, 'diff-ins');
      removed = [];
    } else {
      flushRemoved();
      for (const n of after.slice(bi, bi + count)) out += render(n);
      ai += count;
      bi += count;
    }
  }
  flushRemoved();
  return out;
}
