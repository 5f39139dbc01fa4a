import { sql } from 'drizzle-orm';
import { queryRows } from '../db/rows.ts';
import { recordAudit } from '../audit/record.ts';
import type { Db } from '../db/client.ts';
import { maskPersonalData } from './mask.ts';

export interface MaskExistingResult {
  searchLog: number;
  botTurns: number;
  feedback: number;
}

// Rows are read in key order a page at a time, so a large log is masked with bounded memory.
const PAGE = 1000;

/**
 * `zhida privacy mask-existing`: masks personal data in rows stored before masking on the way in
 * existed (search log queries, customer turns of bot transcripts, feedback comments). Idempotent:
 * masking is, and only rows whose text changes are written. One audit entry with the counts.
 */
export async function maskExistingPersonalData(db: Db): Promise<MaskExistingResult> {
  const result: MaskExistingResult = { searchLog: 0, botTurns: 0, feedback: 0 };

  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await queryRows<{ id: string; query: string; normalised: string }>(db, sql`select id::text, query, normalised from search_log where id > ${after}::uuid order by id limit ${PAGE}`);
    if (rows.length === 0) break;
    for (const r of rows) {
      const query = maskPersonalData(r.query);
      const normalised = maskPersonalData(r.normalised);
      if (query !== r.query || normalised !== r.normalised) {
        await db.execute(sql`update search_log set query = ${query}, normalised = ${normalised} where id = ${r.id}::uuid`);
        result.searchLog++;
      }
    }
    after = rows.at(-1)!.id;
  }

  let afterTurn = 0;
  for (;;) {
    const rows = await queryRows<{ id: number | string; text: string }>(db, sql`select id, text from bot_turns where id > ${afterTurn} and role = 'customer' order by id limit ${PAGE}`);
    if (rows.length === 0) break;
    for (const r of rows) {
      const text = maskPersonalData(r.text);
      if (text !== r.text) {
        await db.execute(sql`update bot_turns set text = ${text} where id = ${Number(r.id)}`);
        result.botTurns++;
      }
    }
    afterTurn = Number(rows.at(-1)!.id);
  }

  after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const rows = await queryRows<{ id: string; comment: string }>(db, sql`select id::text, comment from search_feedback where id > ${after}::uuid and comment is not null order by id limit ${PAGE}`);
    if (rows.length === 0) break;
    for (const r of rows) {
      const comment = maskPersonalData(r.comment);
      if (comment !== r.comment) {
        await db.execute(sql`update search_feedback set comment = ${comment} where id = ${r.id}::uuid`);
        result.feedback++;
      }
    }
    after = rows.at(-1)!.id;
  }

  await db.transaction((tx) => recordAudit(tx, { kind: 'system' }, { action: 'privacy.masked_existing', entityType: 'privacy', details: { ...result } }));
  return result;
}
