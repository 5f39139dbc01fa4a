import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords.ts';
import { loadConfig } from '../../src/config.ts';
import { answers, answerVersions, users } from '../../src/db/schema/index.ts';
import { demoAnswers } from '../../src/demo/answers.ts';
import { seedDemo } from '../../src/demo/seed.ts';
import { createTestDatabase } from '../helpers/db.ts';

/** Issue 11 item 1: the demo's public accounts never land on a database that is in use. */
describe('demo seeding', () => {
  it('is on by default for the embedded database only; DATABASE_URL needs ZHIDA_DEMO=1', () => {
    expect(loadConfig({}).demo).toBe(true);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/zhida' }).demo).toBe(false);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@db:5432/zhida', ZHIDA_DEMO: '1' }).demo).toBe(true);
    expect(loadConfig({ ZHIDA_DEMO: '0' }).demo).toBe(false);
  });

  it('refuses a database that has users, adding nobody and nothing', async () => {
    const { db, close } = await createTestDatabase();
    try {
      await db.insert(users).values({ email: 'real.admin@bank.test', name: 'Real admin', role: 'admin', passwordHash: await hashPassword('a-real-password-123') });
      expect(await seedDemo(db)).toEqual({ seeded: false, answers: 0, reason: 'database_not_empty' });
      expect((await db.select({ email: users.email }).from(users)).map((u) => u.email)).toEqual(['real.admin@bank.test']);
      const [{ n }] = (await db.select({ n: sql<number>`count(*)::int` }).from(answers)) as [{ n: number }];
      expect(Number(n)).toBe(0);
    } finally {
      await close();
    }
  });

  it('refuses a database that has answers but no users (an import-only installation)', async () => {
    const { db, close } = await createTestDatabase();
    try {
      await db.insert(answers).values({ externalId: 'real-1' });
      expect(await seedDemo(db)).toMatchObject({ seeded: false, reason: 'database_not_empty' });
      expect(await db.select().from(users)).toEqual([]);
    } finally {
      await close();
    }
  });

  it('seeds an empty database through four-eyes: the demo editor authors, the demo reviewer approves', async () => {
    const { db, close } = await createTestDatabase();
    try {
      expect(await seedDemo(db)).toEqual({ seeded: true, answers: demoAnswers.length });
      const [editor] = await db.select().from(users).where(eq(users.email, 'editor@zhida.local'));
      const [reviewer] = await db.select().from(users).where(eq(users.email, 'reviewer@zhida.local'));
      const versions = await db.select().from(answerVersions);
      expect(versions).toHaveLength(demoAnswers.length);
      for (const v of versions) {
        expect(v).toMatchObject({ status: 'published', authorId: editor!.id, reviewerId: reviewer!.id, contributorIds: [editor!.id] });
      }
      expect(await seedDemo(db)).toMatchObject({ seeded: false, reason: 'already_seeded' });
    } finally {
      await close();
    }
  });
});
