import { diffArrays, diffChars, diffWordsWithSpace, type Change } from 'diff';
import { notFound } from '../errors.ts';
import type { Tx } from '../db/tx.ts';
import { iso, type VersionRow } from './map.ts';
import { versionRows } from './detail.ts';
import { formattedBodyDiff } from './rich-diff.ts';
import type { RichDoc } from './rich-text.ts';

export interface BodyOp {
  op: 'equal' | 'insert' | 'delete';
  text: string;
}

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
  changed: boolean;
  /** List fields (tags, channels, similar questions): what was added and removed, item by item. */
  added?: string[];
  removed?: string[];
}

export interface VersionDiff {
  from: number;
  to: number;
  fields: FieldChange[];
  similarQuestions: { added: string[]; removed: string[] };
  body: BodyOp[];
  /** The new body as rich text with insertions, deletions and format changes marked (sanitised HTML). */
  bodyHtml: string;
}

const HAN = /[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]/u;
const LATIN_WORD = /[A-Za-z]{2,}/;

/**
 * Tokens for mixed Chinese/English text: every CJK character (and CJK punctuation) is a token,
 * Latin words and numbers are one token each, whitespace runs are tokens. Chinese then diffs
 * character by character and English word by word, in the same sentence.
 */
export function mixedTokens(text: string): string[] {
  return text.match(/\p{Script=Han}|[\u3000-\u303f\uff00-\uffef]|(?:(?!\p{Script=Han})[\p{L}\p{N}_'’])+|\s+|./gu) ?? [];
}

function toOps(changes: Change[]): BodyOp[] {
  const ops: BodyOp[] = [];
  for (const c of changes) {
    const op: BodyOp['op'] = c.added ? 'insert' : c.removed ? 'delete' : 'equal';
    const last = ops.at(-1);
    if (last && last.op === op) last.text += c.value;
    else if (c.value) ops.push({ op, text: c.value });
  }
  return ops;
}

/**
 * Text diff chosen by script: character level for Chinese (diffChars), word level for English
 * (diffWordsWithSpace), and for text that mixes both, a token diff where each Han character and
 * each Latin word is one token.
 */
export function diffText(before: string, after: string): BodyOp[] {
  const both = before + after;
  const hasHan = HAN.test(both);
  const hasLatin = LATIN_WORD.test(both);
  if (hasHan && !hasLatin) return toOps(diffChars(before, after));
  if (!hasHan) return toOps(diffWordsWithSpace(before, after));
  const changes = diffArrays(mixedTokens(before), mixedTokens(after));
  return toOps(changes.map((c) => ({ ...c, value: c.value.join('') })));
}

const compared: { field: string; get: (v: VersionRow) => unknown }[] = [
  { field: 'title', get: (v) => v.title },
  { field: 'similarQuestions', get: (v) => v.similarQuestions },
  { field: 'category', get: (v) => v.categoryPath },
  { field: 'tags', get: (v) => v.tags },
  { field: 'channels', get: (v) => v.channels },
  { field: 'botText', get: (v) => v.botText },
  { field: 'effectiveFrom', get: (v) => iso(v.effectiveFrom) },
  { field: 'expiresAt', get: (v) => iso(v.expiresAt) },
  { field: 'reviewDueAt', get: (v) => iso(v.reviewDueAt) },
];

export function diffVersions(a: VersionRow, b: VersionRow): VersionDiff {
  const fields = compared.map(({ field, get }) => {
    const before = get(a);
    const after = get(b);
    const change: FieldChange = { field, before, after, changed: JSON.stringify(before) !== JSON.stringify(after) };
    if (Array.isArray(before) && Array.isArray(after)) {
      const was = new Set(before.map(String));
      const now = new Set(after.map(String));
      change.added = [...now].filter((x) => !was.has(x));
      change.removed = [...was].filter((x) => !now.has(x));
    }
    return change;
  });
  const beforeQs = new Set(a.similarQuestions);
  const afterQs = new Set(b.similarQuestions);
  return {
    from: a.number,
    to: b.number,
    fields,
    similarQuestions: { added: b.similarQuestions.filter((q) => !beforeQs.has(q)), removed: a.similarQuestions.filter((q) => !afterQs.has(q)) },
    body: diffText(a.bodyText, b.bodyText),
    bodyHtml: formattedBodyDiff(a.bodyJson as RichDoc, b.bodyJson as RichDoc, diffText),
  };
}

/** GET /answers/:id/diff?from=&to= between any two versions of one answer. */
export async function diffAnswerVersions(tx: Tx, answerId: string, from: number, to: number, opts: { publishedOnly?: boolean } = {}): Promise<VersionDiff> {
  const all = await versionRows(tx, answerId);
  // Readers who do not write (agents) compare published versions only: drafts are not theirs to see.
  const versions = opts.publishedOnly ? all.filter((v) => v.status === 'published' || v.status === 'superseded') : all;
  if (all.length === 0) throw notFound('Answer');
  const a = versions.find((v) => v.number === from);
  const b = versions.find((v) => v.number === to);
  if (!a) throw notFound(`Version ${from}`);
  if (!b) throw notFound(`Version ${to}`);
  return diffVersions(a, b);
}
