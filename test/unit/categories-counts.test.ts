import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureCategories, listCategories } from '../../src/answers/categories.ts';
import { importAnswers } from '../../src/answers/import.ts';
import type { Database } from '../../src/db/client.ts';
import { answers } from '../../src/db/schema/index.ts';
import { createTestDatabase } from '../helpers/db.ts';

describe('category tree counts (real PGlite)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it("counts each answer in its newest version's category and every ancestor, not archived ones", async () => {
    const actor = { kind: 'master' as const };
    const rec = (externalId: string, category: string) => ({ externalId, title: `标题 ${externalId}`, body: '正文', category });
    await importAnswers(database.db, [rec('a', '信用卡/挂失'), rec('b', '信用卡/挂失'), rec('c', '信用卡/年费'), rec('d', '信用卡'), rec('e', '储蓄/开户'), rec('gone', '储蓄/开户')], {
      publish: true,
      actor,
    });
    // A new version moves 'c' to another branch; an archived answer stops counting.
    await importAnswers(database.db, [rec('c', '储蓄/销户')], { publish: true, actor });
    await database.db.update(answers).set({ archivedAt: new Date() }).where(eq(answers.externalId, 'gone'));
    await database.db.transaction((tx) => ensureCategories(tx, ['空分类/子类']));

    const counts = Object.fromEntries((await listCategories(database.db)).map((c) => [c.path, c.answerCount]));
    expect(counts).toEqual({
      信用卡: 3,
      '信用卡/挂失': 2,
      '信用卡/年费': 0,
      储蓄: 2,
      '储蓄/开户': 1,
      '储蓄/销户': 1,
      空分类: 0,
      '空分类/子类': 0,
    });
    const tree = await listCategories(database.db);
    expect(tree.find((c) => c.path === '储蓄/开户')).toMatchObject({ name: '开户', parentPath: '储蓄' });
  });
});
