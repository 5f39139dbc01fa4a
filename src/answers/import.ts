import { createHash, randomUUID } from 'node:crypto';
import { and, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit, recordAuditBatch } from '../audit/record.ts';
import type { Db } from '../db/client.ts';
import { answers, answerVersions, importBatches, channels as allChannels } from '../db/schema/index.ts';
import { summarizeDbError } from '../db/errors.ts';
import { findTextProblem, MAX_BODY_SOURCE_CHARS, MAX_BODY_TEXT_CHARS, MAX_IMPORT_ERRORS, MAX_YEAR, MIN_YEAR, parseIsoInstant, shortened } from '../input.ts';
import { actorIdentity, withActor, type AnswerActor } from './actor.ts';
import { ensureCategories, normaliseCategoryPath } from './categories.ts';
import { DomainError } from '../errors.ts';
import { answersChanged } from './events.ts';
import type { Tx } from '../db/tx.ts';
import { rowsOf } from '../db/rows.ts';
import { richBodyFromMarkdownOrHtml, type RichBody } from './rich-text.ts';
import { convertBodies } from './rich-text-pool.ts';
import { settleLiveState } from './supersede.ts';
import { botTextFor, cleanChannels, cleanList, sameContent, type VersionContent } from './version-content.ts';

const isoDate = z
  .string()
  .trim()
  .refine((s) => s === '' || parseIsoInstant(s) !== null, `must be an ISO 8601 date (2026-12-01) or date-time with offset, years ${MIN_YEAR}-${MAX_YEAR}`)
  .transform((s) => (s === '' ? null : parseIsoInstant(s)))
  .nullable()
  .optional();

/**
 * One answer in the public import format (NDJSON line, CSV row, XLSX row). Unknown fields are an
 * error so that a misspelt column ('catgory') is reported instead of silently dropped.
 */
export const importRecordSchema = z.strictObject({
  externalId: z.string().trim().min(1, 'externalId is required').max(200),
  title: z.string().trim().min(1, 'title is required').max(500),
  similarQuestions: z.array(z.string().max(500)).max(200).optional(),
  body: z.string().max(MAX_BODY_SOURCE_CHARS, `at most ${MAX_BODY_SOURCE_CHARS} characters`).optional(),
  category: z.string().max(500).nullable().optional(),
  tags: z.array(z.string().max(100)).max(50).optional(),
  channels: z.array(z.enum(allChannels)).optional(),
  botText: z.string().max(2000).nullable().optional(),
  effectiveFrom: isoDate,
  expiresAt: isoDate,
  reviewDueAt: isoDate,
});

/** The import format as written in files: `{externalId,title,similarQuestions,body,category,tags,channels}` (+ optional fields). */
export type ImportRecord = z.input<typeof importRecordSchema>;
type ParsedRecord = z.output<typeof importRecordSchema>;

export interface ImportError {
  line: number;
  message: string;
}

export interface ImportResult {
  created: number;
  updated: number;
  unchanged: number;
  /** The first MAX_IMPORT_ERRORS (1,000) errors by line; errorCount counts them all. */
  errors: ImportError[];
  errorCount: number;
  /** stage: the import batch that waits for a second reviewer (null when nothing changed). */
  batchId?: string | null;
  status?: 'pending_approval' | 'nothing_to_approve';
}

/**
 * Per-line errors, bounded whatever the input: the first `cap` by line are kept, the rest counted.
 * Messages are cut to a few hundred characters.
 */
export class ImportErrorList {
  private kept: ImportError[] = [];
  private maxKept = -Infinity;
  count = 0;
  constructor(private readonly cap = MAX_IMPORT_ERRORS) {}

  add(line: number, message: string): void {
    this.count++;
    if (this.kept.length >= this.cap && line >= this.maxKept) return;
    this.kept.push({ line, message: message.length > 300 ? `${message.slice(0, 300)}…` : message });
    if (this.kept.length > this.cap) {
      this.kept.sort((a, b) => a.line - b.line);
      this.kept.length = this.cap;
      this.maxKept = this.kept.at(-1)!.line;
    } else this.maxKept = Math.max(this.maxKept, line);
  }

  sorted(): ImportError[] {
    return [...this.kept].sort((a, b) => a.line - b.line);
  }
}

export type ImportActor = AnswerActor;

export interface ImportOptions {
  /**
   * true: changed content is published at once, with no reviewer. Only for trusted in-process loaders
   * that act as no person (benchmarks, evaluation, test fixtures: actor master or system); a user or
   * key is refused. Neither the API nor the CLI uses it: their publish=true is `stage`.
   */
  publish: boolean;
  /**
   * true: changed content becomes versions in review, grouped in one import batch that a second
   * reviewer approves or rejects as a whole (importBatches.ts); nothing goes live before that.
   */
  stage?: boolean;
  actor: ImportActor;
  /** Owner of newly created answers; defaults to the acting user. */
  ownerId?: string | null;
  /** Line (or row) number of each record in its file, for error reports; defaults to index + 1. */
  lines?: number[];
  /** Errors found while parsing the file (bad JSON lines...), merged into the result. */
  parseErrors?: ImportError[];
  /** Parse errors beyond `parseErrors` that the parser only counted. */
  parseErrorsDropped?: number;
  /** Records per transaction: good records of a batch commit together, bad ones are reported. */
  batchSize?: number;
  onProgress?: (done: number, total: number) => void;
  /** Where the records came from, for the audit entry ('api:ndjson', 'cli:answers.csv', 'demo-seed'). */
  source?: string;
  /** Filled in for benchmarks: time spent in the answerChanged hooks (search index, embedding queue). */
  stats?: { hookMs: number };
}

// Bump when the conversion of import records changes, so old import hashes stop matching.
const IMPORT_FORMAT_VERSION = 1;

interface Candidate {
  line: number;
  record: ParsedRecord;
  hash: string;
  content?: VersionContent;
}

interface Baseline extends VersionContent {
  id: string;
  answerId: string;
  number: number;
  status: string;
  importHash: string | null;
}

/** Stable hash of a record's meaning: key order and whitespace in the file do not matter. */
function recordHash(r: ParsedRecord): string {
  const canonical = JSON.stringify([
    IMPORT_FORMAT_VERSION,
    r.externalId,
    r.title,
    cleanList(r.similarQuestions),
    (r.body ?? '').trim(),
    normaliseCategoryPath(r.category),
    cleanList(r.tags),
    cleanChannels(r.channels),
    r.botText?.trim() || null,
    r.effectiveFrom?.toISOString() ?? null,
    r.expiresAt?.toISOString() ?? null,
    r.reviewDueAt?.toISOString() ?? null,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

type Converter = ((source: string) => RichBody) & {
  /** Converts a batch's bodies ahead, on worker threads when there are many (rich-text-pool.ts). */
  prefetch(sources: readonly string[]): Promise<void>;
};

/** Converting a body costs milliseconds; identical bodies within one import are converted once. */
function converter(): Converter {
  const cache = new Map<string, RichBody>();
  const convert = (source: string): RichBody => {
    let body = cache.get(source);
    if (!body) {
      body = richBodyFromMarkdownOrHtml(source);
      if (cache.size > 5000) cache.clear();
      cache.set(source, body);
    }
    return body;
  };
  return Object.assign(convert, {
    async prefetch(sources: readonly string[]) {
      const missing = [...new Set(sources)].filter((s) => !cache.has(s));
      if (missing.length === 0) return;
      const bodies = await convertBodies(missing);
      if (cache.size + missing.length > 5000) cache.clear();
      missing.forEach((s, i) => cache.set(s, bodies[i]!));
    },
  });
}

function contentOf(r: ParsedRecord, convert: (s: string) => RichBody): VersionContent {
  const body = convert((r.body ?? '').trim());
  return {
    title: r.title,
    similarQuestions: cleanList(r.similarQuestions),
    bodyJson: body.json,
    bodyHtml: body.html,
    bodyText: body.text,
    ...botTextFor(body, r.botText),
    categoryPath: normaliseCategoryPath(r.category),
    tags: cleanList(r.tags),
    channels: cleanChannels(r.channels),
    effectiveFrom: r.effectiveFrom ?? null,
    expiresAt: r.expiresAt ?? null,
    reviewDueAt: r.reviewDueAt ?? null,
  };
}

const baselineColumns = {
  id: answerVersions.id,
  answerId: answerVersions.answerId,
  number: answerVersions.number,
  status: answerVersions.status,
  importHash: answerVersions.importHash,
  title: answerVersions.title,
  similarQuestions: answerVersions.similarQuestions,
  bodyJson: answerVersions.bodyJson,
  bodyHtml: answerVersions.bodyHtml,
  bodyText: answerVersions.bodyText,
  botText: answerVersions.botText,
  botTextDerived: answerVersions.botTextDerived,
  categoryPath: answerVersions.categoryPath,
  tags: answerVersions.tags,
  channels: answerVersions.channels,
  effectiveFrom: answerVersions.effectiveFrom,
  expiresAt: answerVersions.expiresAt,
  reviewDueAt: answerVersions.reviewDueAt,
};

/**
 * What a record is compared with: for publish=true the newest published version (a pending draft
 * of an editor is left alone when the published content already matches), otherwise the newest
 * version of any status.
 */
async function baselines(tx: Tx, answerIds: string[], publish: boolean): Promise<Map<string, Baseline>> {
  const out = new Map<string, Baseline>();
  if (answerIds.length === 0) return out;
  const rows = await tx
    .selectDistinctOn([answerVersions.answerId], baselineColumns)
    .from(answerVersions)
    .where(and(inArray(answerVersions.answerId, answerIds), publish ? eq(answerVersions.status, 'published') : undefined))
    .orderBy(answerVersions.answerId, sql`${answerVersions.number} desc`);
  for (const r of rows) out.set(r.answerId, r as Baseline);
  return out;
}

async function newestNumbers(tx: Tx, answerIds: string[]): Promise<Map<string, { number: number; status: string; id: string }>> {
  const out = new Map<string, { number: number; status: string; id: string }>();
  if (answerIds.length === 0) return out;
  const rows = await tx
    .selectDistinctOn([answerVersions.answerId], { answerId: answerVersions.answerId, id: answerVersions.id, number: answerVersions.number, status: answerVersions.status })
    .from(answerVersions)
    .where(inArray(answerVersions.answerId, answerIds))
    .orderBy(answerVersions.answerId, sql`${answerVersions.number} desc`);
  for (const r of rows) out.set(r.answerId, r);
  return out;
}

/**
 * Imports answers in the public import format, idempotent by externalId: identical content is
 * left unchanged; changed content becomes a new version (published directly when `publish`, else
 * a draft — an existing newest draft is overwritten in place, drafts being mutable).
 *
 * Every record is validated completely first (text policy, strict dates, sizes, body conversion);
 * bad ones are reported per line and never reach the database. Batches of `batchSize` (500) good
 * records then run in one transaction each; should the database still refuse one, the batch is
 * rolled back and its records retried one by one, so only the refused record is lost. Errors are
 * short, never SQL, and bounded (first 1,000 by line, `errorCount` counts all).
 * Audit: one entry per created/updated answer (details.bulk = true) and one bulk entry per import.
 */
export async function importAnswers(db: Db, records: readonly unknown[], opts: ImportOptions): Promise<ImportResult> {
  const errors = new ImportErrorList();
  for (const e of opts.parseErrors ?? []) errors.add(e.line, e.message);
  errors.count += opts.parseErrorsDropped ?? 0;
  const counts = { created: 0, updated: 0, unchanged: 0 };
  if (opts.publish && opts.stage) throw new Error('importAnswers: publish and stage exclude each other');
  if (opts.publish && (opts.actor.kind === 'user' || opts.actor.kind === 'api_key')) {
    throw new DomainError('four_eyes', 'A person cannot publish an import alone: stage it as an import batch for a second reviewer / 导入发布需要另一位审核员审批');
  }
  const batchSize = opts.batchSize ?? 500;
  const importId = opts.stage ? await openImportBatch(db, opts) : randomUUID();
  const convert = converter();
  const lineOf = (i: number) => opts.lines?.[i] ?? i + 1;
  const firstLine = new Map<string, number>();

  // Every record is checked completely before any reaches the database, so that one bad record
  // is one error and never fails the other records of its batch.
  const candidates: Candidate[] = [];
  records.forEach((raw, i) => {
    const line = lineOf(i);
    const bad = findTextProblem(raw);
    if (bad) {
      errors.add(line, `${bad.path || 'record'}: ${bad.message}`);
      return;
    }
    const parsed = importRecordSchema.safeParse(raw);
    if (!parsed.success) {
      errors.add(line, recordIssues(parsed.error.issues));
      return;
    }
    const seen = firstLine.get(parsed.data.externalId);
    if (seen !== undefined) {
      errors.add(line, `externalId "${shortened(parsed.data.externalId)}" already appears on line ${seen}; each answer may appear once per import`);
      return;
    }
    firstLine.set(parsed.data.externalId, line);
    candidates.push({ line, record: parsed.data, hash: recordHash(parsed.data) });
  });

  let done = records.length - candidates.length;
  opts.onProgress?.(done, records.length);
  for (let start = 0; start < candidates.length; start += batchSize) {
    const batch = await prepareContent(db, candidates.slice(start, start + batchSize), opts.publish || !!opts.stage, convert, errors);
    if (batch.length) try {
      add(counts, await db.transaction((tx) => importBatch(tx, batch, opts, importId, convert)), errors);
    } catch {
      // The database refused something the checks above let through: each record is retried
      // alone, so only the records it refuses are lost, each reported on its own line.
      for (const c of batch) {
        try {
          add(counts, await db.transaction((tx) => importBatch(tx, [c], opts, importId, convert)), errors);
        } catch (err) {
          errors.add(c.line, `not imported: the database refused this record (${refusal(err)})`);
        }
      }
    }
    done += Math.min(batchSize, candidates.length - start);
    opts.onProgress?.(done, records.length);
    // Bulk inserts leave the planner's statistics stale (it then picks the status index over the
    // per-answer one and every later batch slows down); refresh them as the tables grow.
    const batchNo = start / batchSize;
    if (batchNo === 0 || batchNo % 4 === 3) await db.execute(sql`analyze answers, answer_versions`);
  }

  const result: ImportResult = { ...counts, errors: errors.sorted(), errorCount: errors.count };
  const staged = opts.stage && result.created + result.updated > 0;
  await db.transaction(async (tx) => {
    if (opts.stage) {
      if (staged) {
        await tx
          .update(importBatches)
          .set({ status: 'pending_approval', created: result.created, updated: result.updated, unchanged: result.unchanged, errors: result.errorCount })
          .where(eq(importBatches.id, importId));
      } else {
        await tx.delete(importBatches).where(eq(importBatches.id, importId));
      }
    }
    await recordAudit(tx, opts.actor, {
      action: opts.stage ? 'import_batch.staged' : opts.publish ? 'answers.bulk_published' : 'answers.bulk_imported',
      entityType: opts.stage && staged ? 'import_batch' : 'import',
      entityId: importId,
      details: { bulk: true, publish: opts.publish, stage: !!opts.stage, source: opts.source ?? null, created: result.created, updated: result.updated, unchanged: result.unchanged, errors: result.errorCount },
    });
  });
  if (opts.stage) {
    result.batchId = staged ? importId : null;
    result.status = staged ? 'pending_approval' : 'nothing_to_approve';
  }
  return result;
}

function add(total: { created: number; updated: number; unchanged: number }, n: { created: number; updated: number; unchanged: number; errors?: ImportError[] }, errors: ImportErrorList) {
  total.created += n.created;
  total.updated += n.updated;
  total.unchanged += n.unchanged;
  for (const e of n.errors ?? []) errors.add(e.line, e.message);
}

/** zod issues in the user's words: field, message; a misspelt field name is quoted, shortened. */
function recordIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const keys = issue.code === 'unrecognized_keys' ? `unknown field(s) ${issue.keys.slice(0, 5).map((k) => `"${shortened(k, 40)}"`).join(', ')}` : issue.message;
      return issue.path.length ? `${issue.path.join('.')}: ${keys}` : keys;
    })
    .join('; ');
}

/** Why the database refused a record, in a few words: never the statement or its parameters. */
function refusal(err: unknown): string {
  const db = summarizeDbError(err);
  if (!db) return 'unexpected error';
  if (db.code === '23505') return 'it conflicts with an existing record';
  if (db.code?.startsWith('22')) return 'a value is out of range or not valid text';
  if (db.code?.startsWith('54')) return 'it is too large or too deeply nested';
  return db.code ? `SQLSTATE ${db.code}` : 'query failed';
}

/** The batch row a staged import fills; it becomes pending_approval when the import ends. */
async function openImportBatch(db: Db, opts: ImportOptions): Promise<string> {
  const [row] = await db
    .insert(importBatches)
    .values({
      importedBy: actorIdentity(opts.actor),
      importerUserId: opts.actor.userId ?? null,
      importerKeyId: opts.actor.kind === 'api_key' ? (opts.actor.keyId ?? null) : null,
      source: opts.source ?? null,
    })
    .returning({ id: importBatches.id });
  return row!.id;
}

/**
 * Contributors of the change under way per answer (four-eyes.ts lineageContributors, in SQL): every
 * author and contributor of a draft, in-review or rejected version newer than the newest published one.
 */
async function lineageByAnswer(tx: Tx, answerIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (answerIds.length === 0) return out;
  const ids = sql.join(answerIds.map((id) => sql`${id}::uuid`), sql`, `);
  const res = await tx.execute(sql`
    select v.answer_id, array_agg(distinct c) filter (where c is not null) as ids
    from answer_versions v
    cross join lateral unnest(v.contributor_ids || coalesce(v.author_id::text, null)) c
    where v.answer_id in (${ids}) and v.status in ('draft', 'in_review', 'rejected')
      and v.number > coalesce((select max(p.number) from answer_versions p where p.answer_id = v.answer_id and p.status in ('published', 'superseded')), 0)
    group by v.answer_id`);
  const rows = rowsOf<{ answer_id: string; ids: string[] | null }>(res);
  for (const r of rows) out.set(r.answer_id, r.ids ?? []);
  return out;
}

/**
 * Converts the bodies that will be needed, before the transaction, so the database is not held
 * while CPU-bound work runs; records whose import hash matches their baseline are skipped. A body
 * that cannot be converted, or renders to more than the maximum text, is reported on its line and
 * its record left out; the rest of the batch is returned.
 */
async function prepareContent(db: Db, batch: Candidate[], publish: boolean, convert: Converter, errors: ImportErrorList): Promise<Candidate[]> {
  const existing = await db
    .select({ id: answers.id, externalId: answers.externalId })
    .from(answers)
    .where(inArray(answers.externalId, batch.map((c) => c.record.externalId)));
  const idByExternal = new Map(existing.map((a) => [a.externalId!, a.id]));
  const base = await baselines(db, existing.map((a) => a.id), publish);
  // Bodies to convert are converted ahead in one go, on worker threads when there are many; a body
  // that fails there is converted again below, where its error is reported on its line.
  const todo = batch.filter((c) => {
    const id = idByExternal.get(c.record.externalId);
    const b = id ? base.get(id) : undefined;
    return !b || b.importHash !== c.hash;
  });
  await convert.prefetch(todo.map((c) => (c.record.body ?? '').trim())).catch(() => {});
  const ready: Candidate[] = [];
  const turn = eventLoopTurns();
  for (const c of batch) {
    await turn();
    const id = idByExternal.get(c.record.externalId);
    const b = id ? base.get(id) : undefined;
    if (!b || b.importHash !== c.hash) {
      try {
        c.content = contentOf(c.record, convert);
      } catch {
        errors.add(c.line, 'body: could not be converted (not valid Markdown/HTML for the editor, or nested too deeply)');
        continue;
      }
      if (c.content.bodyText.length > MAX_BODY_TEXT_CHARS) {
        errors.add(c.line, `body: ${c.content.bodyText.length} characters of text; the maximum is ${MAX_BODY_TEXT_CHARS}`);
        continue;
      }
    }
    ready.push(c);
  }
  return ready;
}

/**
 * Converting a batch of bodies is hundreds of milliseconds of synchronous work: give the event loop
 * a turn every `budgetMs` so other HTTP requests (/healthz, searches) keep flowing during an import.
 */
function eventLoopTurns(budgetMs = 10) {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < budgetMs) return;
    await new Promise((resolve) => setImmediate(resolve));
    since = performance.now();
  };
}

async function importBatch(tx: Tx, batch: Candidate[], opts: ImportOptions, importId: string, convert: (s: string) => RichBody) {
  const counts = { created: 0, updated: 0, unchanged: 0, errors: [] as ImportError[] };
  const againstPublished = opts.publish || !!opts.stage;
  const now = new Date();
  const userId = opts.actor.userId ?? null;

  // Lock the existing answers so concurrent editors and imports serialise with this batch.
  const existing = await tx
    .select({ id: answers.id, externalId: answers.externalId })
    .from(answers)
    .where(inArray(answers.externalId, batch.map((c) => c.record.externalId)))
    .for('update');
  const idByExternal = new Map(existing.map((a) => [a.externalId!, a.id]));
  const existingIds = existing.map((a) => a.id);
  const base = await baselines(tx, existingIds, againstPublished);
  const newest = await newestNumbers(tx, existingIds);
  const lineage = opts.publish ? new Map<string, string[]>() : await lineageByAnswer(tx, existingIds);

  const fresh = new Set(batch.filter((c) => !idByExternal.has(c.record.externalId)));
  if (fresh.size) {
    const inserted = await tx
      .insert(answers)
      .values([...fresh].map((c) => ({ externalId: c.record.externalId, ownerId: opts.ownerId === undefined ? userId : opts.ownerId, createdAt: now, updatedAt: now })))
      .returning({ id: answers.id, externalId: answers.externalId });
    for (const a of inserted) idByExternal.set(a.externalId!, a.id);
  }

  type NewVersion = typeof answerVersions.$inferInsert;
  const inserts: NewVersion[] = [];
  const draftUpdates: { versionId: string; values: Partial<NewVersion> }[] = [];
  const changed: { answerId: string; externalId: string; number: number; change: 'created' | 'updated' }[] = [];
  const categoryPaths = new Set<string>();

  for (const c of batch) {
    const answerId = idByExternal.get(c.record.externalId)!;
    const isNew = fresh.has(c);
    const b = isNew ? undefined : base.get(answerId);
    if (b && b.importHash === c.hash) {
      counts.unchanged++;
      continue;
    }
    const content = (c.content ??= contentOf(c.record, convert));
    if (b && sameContent(content, b)) {
      counts.unchanged++;
      continue;
    }
    const top = newest.get(answerId);
    if (opts.stage && top?.status === 'in_review') {
      counts.errors.push({ line: c.line, message: `answer "${c.record.externalId}" has version ${top.number} in review; approve or reject it before importing a new version / 该答案有版本正在审核` });
      continue;
    }
    if (content.categoryPath) categoryPaths.add(content.categoryPath);
    // Everyone on the change since the last published version stays a contributor (four-eyes).
    const contributorIds = withActor(lineage.get(answerId) ?? [], opts.actor);
    const stamp = opts.publish
      ? { status: 'published' as const, authorId: userId, reviewerId: null, submittedAt: now, reviewedAt: now, publishedAt: now, reviewComment: null, contributorIds }
      : opts.stage
        ? { status: 'in_review' as const, authorId: userId, submittedAt: now, contributorIds, importBatchId: importId }
        : { status: 'draft' as const, authorId: userId, contributorIds };
    if (!opts.publish && !opts.stage && top?.status === 'draft') {
      draftUpdates.push({ versionId: top.id, values: { ...content, ...stamp, importHash: c.hash, updatedAt: now } });
      changed.push({ answerId, externalId: c.record.externalId, number: top.number, change: 'updated' });
    } else {
      const number = (top?.number ?? 0) + 1;
      inserts.push({ answerId, number, ...content, ...stamp, importHash: c.hash, createdAt: now, updatedAt: now });
      changed.push({ answerId, externalId: c.record.externalId, number, change: isNew ? 'created' : 'updated' });
    }
    if (isNew) counts.created++;
    else counts.updated++;
  }

  await ensureCategories(tx, categoryPaths);
  if (inserts.length) await tx.insert(answerVersions).values(inserts);
  for (const u of draftUpdates) await tx.update(answerVersions).set(u.values).where(eq(answerVersions.id, u.versionId));
  if (changed.length === 0) return counts;

  const changedIds = changed.map((c) => c.answerId);
  await tx
    .update(answers)
    .set({ revision: sql`${answers.revision} + 1`, updatedAt: now })
    .where(inArray(answers.id, changedIds));
  if (opts.publish) await settleLiveState(tx, changedIds, now);
  await recordAuditBatch(
    tx,
    opts.actor,
    changed.map((c) => ({
      action: 'answer.imported',
      entityType: 'answer',
      entityId: c.answerId,
      details: { bulk: true, importId, ...(opts.stage ? { batchId: importId } : {}), externalId: c.externalId, change: c.change, version: c.number, status: opts.publish ? 'published' : opts.stage ? 'in_review' : 'draft' },
    })),
  );
  if (opts.publish) {
    const started = performance.now();
    await answersChanged(tx, changedIds);
    if (opts.stats) opts.stats.hookMs += performance.now() - started;
  }
  return counts;
}
