import { eq, inArray } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importAnswers } from '../../src/answers/import.ts';
import { listAnswers } from '../../src/answers/list.ts';
import type { Database } from '../../src/db/client.ts';
import { answers } from '../../src/db/schema/index.ts';
import { createTestDatabase } from '../helpers/db.ts';

describe('answer list pages (real PGlite)', () => {
  let database: Database;
  const actor = { kind: 'master' as const };
  beforeAll(async () => {
    database = await createTestDatabase();
    const rec = (i: number) => ({ externalId: `list-${i}`, title: `答案 ${i}`, body: '正文', category: i % 2 ? '单' : '双' });
    await importAnswers(database.db, Array.from({ length: 23 }, (_, i) => rec(i)), { publish: true, actor });
    // Spread the update times so "newest first" has one right order; then change one answer again.
    for (let i = 0; i < 23; i++) await database.db.update(answers).set({ updatedAt: new Date(Date.UTC(2026, 0, 1, 0, i)) }).where(eq(answers.externalId, `list-${i}`));
    await importAnswers(database.db, [{ ...rec(3), title: '答案 3 新版' }], { publish: true, actor });
    await database.db.update(answers).set({ archivedAt: new Date() }).where(inArray(answers.externalId, ['list-0', 'list-1']));
  });
  afterAll(async () => {
    await database.close();
  });

  it('pages newest first over every answer once, with the newest version and the total', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 4; page++) {
      const r = await listAnswers(database.db, actor, { pageSize: 7, page });
      expect(r.total).toBe(23);
      seen.push(...r.items.map((x) => x.externalId!));
    }
    const expected = ['list-3', ...Array.from({ length: 23 }, (_, i) => `list-${22 - i}`).filter((x) => x !== 'list-3')];
    expect(seen).toEqual(expected);
    const first = (await listAnswers(database.db, actor, { pageSize: 1 })).items[0]!;
    expect(first).toMatchObject({ externalId: 'list-3', title: '答案 3 新版', status: 'published', liveNumber: 2, category: '单', archived: false });
  });

  it('filters on the answer row (archived) and on the newest version (category) agree on totals', async () => {
    const live = await listAnswers(database.db, actor, { archived: false, pageSize: 100 });
    expect(live.total).toBe(21);
    expect(live.items.map((x) => x.externalId)).not.toContain('list-0');
    const archived = await listAnswers(database.db, actor, { archived: true });
    expect(archived.items.map((x) => x.externalId).sort()).toEqual(['list-0', 'list-1']);
    const odd = await listAnswers(database.db, actor, { category: '单', pageSize: 100 });
    expect(odd.total).toBe(11);
    expect(odd.items[0]!.externalId).toBe('list-3');
    expect((await listAnswers(database.db, actor, { page: 9, pageSize: 10 })).items).toEqual([]);
  });
});
