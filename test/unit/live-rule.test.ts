import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { liveVersionIds, liveVersionIndex, type PublishedVersionTimes } from '../../src/answers/live.ts';
import type { Database } from '../../src/db/client.ts';
import { rowsOf } from '../../src/db/rows.ts';
import { createTestDatabase } from '../helpers/db.ts';

/**
 * The live rule has two forms, the SQL (liveVersionIds: the bot's vector leg, exports, settle) and the
 * pure function the in-memory search engine evaluates per query (liveVersionIndex). They must agree,
 * including at the exact instant a version takes effect or expires.
 */
describe('the live rule: SQL and in-memory agree', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => database?.close());

  it('on every combination of scheduled / expired / archived versions, at and around each boundary', async () => {
    const db = database.db;
    const T = Date.parse('2027-03-01T08:00:00.000Z');
    const times = [null, T - 1000, T, T + 1000];
    // Answers with two published versions (v1, v2) over a grid of effective/expiry times, plus archived copies.
    const cases: { archived: boolean; versions: PublishedVersionTimes[] }[] = [];
    for (const archived of [false, true])
      for (const e1 of times)
        for (const x1 of times)
          for (const e2 of times)
            for (const x2 of [null, T, T + 1000])
              cases.push({ archived, versions: [{ number: 1, effectiveFrom: e1, expiresAt: x1 }, { number: 2, effectiveFrom: e2, expiresAt: x2 }] });
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const answerIds: string[] = [];
    for (const c of cases) {
      const [a] = rowsOf<{ id: string }>(await db.execute(sql`insert into answers (archived_at) values (${c.archived ? new Date(T).toISOString() : null}::timestamptz) returning id`));
      answerIds.push(a!.id);
      for (const v of c.versions) {
        await db.execute(sql`insert into answer_versions (answer_id, number, status, title, body_json, body_html, body_text, bot_text, effective_from, expires_at)
          values (${a!.id}, ${v.number}, 'published', 't', '{}'::jsonb, '', '', '', ${iso(v.effectiveFrom)}::timestamptz, ${iso(v.expiresAt)}::timestamptz)`);
      }
    }
    let checked = 0;
    for (const now of [T - 1001, T - 1000, T - 1, T, T + 1, T + 999, T + 1000, T + 1001]) {
      const live = rowsOf<{ answer_id: string; number: number }>(
        await db.execute(sql`select l.answer_id, v.number from ${liveVersionIds(new Date(now))} l join answer_versions v on v.id = l.version_id`),
      );
      const sqlLive = new Map(live.map((r) => [r.answer_id, Number(r.number)]));
      cases.forEach((c, i) => {
        const idx = liveVersionIndex(c.versions, c.archived, now);
        expect([i, now, idx >= 0 ? c.versions[idx]!.number : null]).toEqual([i, now, sqlLive.get(answerIds[i]!) ?? null]);
        checked++;
      });
    }
    expect(checked).toBe(cases.length * 8);
  });
});
