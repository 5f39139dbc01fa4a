import { sql, type SQL } from 'drizzle-orm';
import type { Tx } from '../../db/tx.ts';
import { rowsOf } from '../../db/rows.ts';
import type { EngineAnswer } from './keyword-engine.ts';

interface Row {
  answer_id: string;
  external_id: string | null;
  version_id: string | null;
  number: number;
  title: string;
  similar_questions: string[];
  body_text: string;
  bot_text: string;
  category_path: string | null;
  tags: string[];
  channels: string[];
  effective_from: number | null;
  expires_at: number | null;
  updated_at: string;
}

// What the engine indexes: every published version of a non-archived answer (the live one, a
// scheduled one, an expired one: liveness is decided at query time). Times in epoch ms rounded up.
function select(answers: SQL): SQL {
  return sql`
    with a as (${answers})
    select a.id::text as answer_id, a.external_id, v.id::text as version_id, v.number, v.title, v.similar_questions,
      v.body_text, v.bot_text, v.category_path, v.tags, v.channels,
      ceil(extract(epoch from v.effective_from) * 1000)::float8 as effective_from,
      ceil(extract(epoch from v.expires_at) * 1000)::float8 as expires_at,
      to_char(coalesce(v.published_at, v.updated_at) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') as updated_at
    from a left join answer_versions v on v.answer_id = a.id and v.status = 'published'
    order by a.id, v.number`;
}

function group(rows: Row[]): EngineAnswer[] {
  const out: EngineAnswer[] = [];
  let cur: EngineAnswer | undefined;
  for (const r of rows) {
    if (!cur || cur.answerId !== r.answer_id) out.push((cur = { answerId: r.answer_id, externalId: r.external_id, versions: [] }));
    if (!r.version_id) continue;
    cur.versions.push({
      versionId: r.version_id,
      number: Number(r.number),
      title: r.title,
      similarQuestions: typeof r.similar_questions === 'string' ? JSON.parse(r.similar_questions) : (r.similar_questions ?? []),
      bodyText: r.body_text,
      botText: r.bot_text,
      categoryPath: r.category_path,
      tags: r.tags ?? [],
      channels: r.channels ?? [],
      effectiveFrom: r.effective_from === null ? null : Number(r.effective_from),
      expiresAt: r.expires_at === null ? null : Number(r.expires_at),
      updatedAt: r.updated_at,
    });
  }
  return out;
}

/** The current searchable state of these answers; an id missing from the result has nothing searchable. */
export async function loadAnswers(tx: Tx, answerIds: readonly string[]): Promise<EngineAnswer[]> {
  if (answerIds.length === 0) return [];
  return group(
    rowsOf<Row>(await tx.execute(select(sql`select id, external_id from answers where id = any(${sql.param([...answerIds])}::uuid[]) and archived_at is null`))),
  );
}

/** One page of the snapshot read: non-archived answers after `after` in id order. */
export async function loadAnswerPage(tx: Tx, after: string | null, limit: number): Promise<{ answers: EngineAnswer[]; last: string | null }> {
  const answers = group(
    rowsOf<Row>(
      await tx.execute(
        select(sql`select id, external_id from answers where archived_at is null ${after ? sql`and id > ${after}::uuid` : sql``} order by id limit ${limit}`),
      ),
    ),
  );
  return { answers, last: answers.length ? answers[answers.length - 1]!.answerId : null };
}

export async function loadSynonymGroups(tx: Tx): Promise<string[][]> {
  const rows = rowsOf<{ phrases: string[] }>(await tx.execute(sql`select phrases from search_synonyms order by created_at, id`));
  return rows.map((r) => r.phrases);
}
