import { z } from 'zod';
import { badRequest, DomainError } from '../errors.ts';
import { isoInstantString, MAX_BODY_SOURCE_CHARS, MAX_BODY_TEXT_CHARS, parseIsoInstant } from '../input.ts';
import { channels as allChannels } from '../db/schema/index.ts';
import { categoryExists, normaliseCategoryPath } from './categories.ts';
import type { Tx } from '../db/tx.ts';
import { richBodyFromHtml, richBodyFromJson, richBodyFromMarkdownOrHtml, type RichBody, type RichDoc } from './rich-text.ts';
import { botTextFor, cleanChannels, cleanList, type VersionContent } from './version-content.ts';

const dateTime = isoInstantString.nullable();

/** The editable fields of a version, as the API accepts them (all optional for PATCH). */
export const versionFieldsShape = {
  title: z.string().trim().min(1, 'title must not be empty').max(500),
  similarQuestions: z.array(z.string().max(500)).max(200),
  /** tiptap / ProseMirror JSON document. */
  body: z.looseObject({ type: z.literal('doc'), content: z.array(z.unknown()).optional() }),
  bodyHtml: z.string().max(MAX_BODY_SOURCE_CHARS),
  bodyMarkdown: z.string().max(MAX_BODY_SOURCE_CHARS),
  botText: z.string().max(2000).nullable(),
  category: z.string().max(500).nullable(),
  tags: z.array(z.string().max(100)).max(50),
  channels: z.array(z.enum(allChannels)).max(3),
  effectiveFrom: dateTime,
  expiresAt: dateTime,
  reviewDueAt: dateTime,
};

export const versionFieldsSchema = z.strictObject(versionFieldsShape).partial();
export type VersionFieldsInput = z.infer<typeof versionFieldsSchema>;

export const emptyDoc: RichDoc = { type: 'doc', content: [{ type: 'paragraph' }] };

function bodyFrom(input: VersionFieldsInput): RichBody | undefined {
  const body = convertBody(input);
  if (body && body.text.length > MAX_BODY_TEXT_CHARS) {
    throw new DomainError('body_too_long', `The body is ${body.text.length} characters of text; the maximum is ${MAX_BODY_TEXT_CHARS} / 正文过长`, [{ path: 'body', message: `at most ${MAX_BODY_TEXT_CHARS} characters of text` }]);
  }
  return body;
}

function convertBody(input: VersionFieldsInput): RichBody | undefined {
  const given = [input.body, input.bodyHtml, input.bodyMarkdown].filter((x) => x !== undefined).length;
  if (given > 1) throw badRequest('Send the body once: body (tiptap JSON), bodyHtml or bodyMarkdown');
  try {
    if (input.body !== undefined) return richBodyFromJson(input.body as RichDoc);
    if (input.bodyHtml !== undefined) return richBodyFromHtml(input.bodyHtml);
    if (input.bodyMarkdown !== undefined) return richBodyFromMarkdownOrHtml(input.bodyMarkdown);
  } catch (err) {
    throw new DomainError('invalid_body', `The body is not a valid document for the editor schema: ${(err as Error).message}`);
  }
  return undefined;
}

const toDate = (s: string | null | undefined, fallback: Date | null) => (s === undefined ? fallback : s === null ? null : parseIsoInstant(s));

/**
 * Applies the fields a client sent onto a base version (or onto an empty one for a new answer):
 * bodies are sanitised and re-rendered server-side, a derived bot text follows the body, the
 * category must exist in the tree. Returns the new content and the names of the fields sent.
 */
export async function applyFields(tx: Tx, base: VersionContent | null, input: VersionFieldsInput): Promise<VersionContent> {
  const body = bodyFrom(input);
  const baseBody: RichBody = base ? { json: base.bodyJson, html: base.bodyHtml, text: base.bodyText } : richBodyFromJson(emptyDoc);
  const nextBody = body ?? baseBody;
  const title = input.title ?? base?.title;
  if (!title) throw new DomainError('validation_failed', 'title is required', [{ path: 'title', message: 'title is required' }]);

  let bot: { botText: string; botTextDerived: number };
  if (input.botText !== undefined) bot = botTextFor(nextBody, input.botText);
  else if (!base || base.botTextDerived === 1) bot = botTextFor(nextBody, null);
  else bot = { botText: base.botText, botTextDerived: 0 };

  let categoryPath = base?.categoryPath ?? null;
  if (input.category !== undefined) {
    categoryPath = normaliseCategoryPath(input.category);
    if (categoryPath && categoryPath !== base?.categoryPath && !(await categoryExists(tx, categoryPath))) {
      throw new DomainError('unknown_category', `Category "${categoryPath}" does not exist; create it first (POST /api/v1/categories) / 分类不存在`);
    }
  }

  const content: VersionContent = {
    title,
    similarQuestions: input.similarQuestions !== undefined ? cleanList(input.similarQuestions) : (base?.similarQuestions ?? []),
    bodyJson: nextBody.json,
    bodyHtml: nextBody.html,
    bodyText: nextBody.text,
    ...bot,
    categoryPath,
    tags: input.tags !== undefined ? cleanList(input.tags) : (base?.tags ?? []),
    channels: input.channels !== undefined ? cleanChannels(input.channels) : (base?.channels ?? cleanChannels(undefined)),
    effectiveFrom: toDate(input.effectiveFrom, base?.effectiveFrom ?? null),
    expiresAt: toDate(input.expiresAt, base?.expiresAt ?? null),
    reviewDueAt: toDate(input.reviewDueAt, base?.reviewDueAt ?? null),
  };
  if (content.effectiveFrom && content.expiresAt && content.expiresAt <= content.effectiveFrom) {
    throw new DomainError('invalid_dates', 'expiresAt must be later than effectiveFrom / 失效时间必须晚于生效时间');
  }
  return content;
}

/** The content columns of a stored version, for copying into a new draft. */
export function contentOfRow(v: VersionContent & Record<string, unknown>): VersionContent {
  return {
    title: v.title,
    similarQuestions: v.similarQuestions,
    bodyJson: v.bodyJson,
    bodyHtml: v.bodyHtml,
    bodyText: v.bodyText,
    botText: v.botText,
    botTextDerived: v.botTextDerived,
    categoryPath: v.categoryPath,
    tags: v.tags,
    channels: v.channels,
    effectiveFrom: v.effectiveFrom ? new Date(v.effectiveFrom) : null,
    expiresAt: v.expiresAt ? new Date(v.expiresAt) : null,
    reviewDueAt: v.reviewDueAt ? new Date(v.reviewDueAt) : null,
  };
}
