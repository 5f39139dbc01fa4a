import { eq, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { answers, settings, users, type Role } from '../db/schema/index.ts';
import { hashPassword } from '../auth/passwords.ts';
import { importAnswers, type ImportRecord } from '../answers/import.ts';
import { approveImportBatch } from '../answers/import-batches.ts';
import { ensureCategories } from '../answers/categories.ts';
import { demoAnswers, demoCategories } from './answers.ts';

export const demoUsers: { email: string; name: string; role: Role; password: string }[] = [
  { email: 'admin@zhida.local', name: '管理员 Admin', role: 'admin', password: 'zhida-admin-demo' },
  { email: 'reviewer@zhida.local', name: '审核员 李审', role: 'reviewer', password: 'zhida-reviewer-demo' },
  { email: 'editor@zhida.local', name: '编辑 王编', role: 'editor', password: 'zhida-editor-demo' },
  { email: 'agent@zhida.local', name: '坐席 张坐', role: 'agent', password: 'zhida-agent-demo' },
];

const SEEDED = 'demo_seeded_at';
// Written with the demo users: a start that crashed half-way finishes the seed next time, although
// the database is no longer empty then (it holds the demo's own users and nothing else).
const STARTED = 'demo_seed_started_at';

export type DemoSeedResult =
  | { seeded: true; answers: number }
  | { seeded: false; answers: 0; reason: 'already_seeded' | 'database_not_empty' };

/** True when the demo users exist on this database (the credentials banner is then worth printing). */
export async function demoPresent(db: Db): Promise<boolean> {
  const [marker] = await db.select().from(settings).where(eq(settings.key, SEEDED));
  return !!marker;
}

/**
 * Seeds the demo on a brand-new database only: one user per role and the demo answers. A database
 * that already has users or answers (a real installation) is never touched, so the demo's public
 * passwords can never appear beside real accounts.
 *
 * The answers go through the real four-eyes path: the demo editor imports them as an import batch
 * and the demo reviewer approves it (importBatches.ts), so the seed fires the same hooks (search
 * index, embedding queue) and audit entries as any reviewed bulk import. Once the done-marker exists
 * the seed never runs again, so later edits to demo answers are never overwritten.
 */
export async function seedDemo(db: Db): Promise<DemoSeedResult> {
  const markers = new Set((await db.select({ key: settings.key }).from(settings)).map((r) => r.key));
  if (markers.has(SEEDED)) return { seeded: false, answers: 0, reason: 'already_seeded' };
  if (!markers.has(STARTED)) {
    const [{ n: userCount }] = (await db.select({ n: sql<number>`count(*)::int` }).from(users)) as [{ n: number }];
    const [{ n: answerCount }] = (await db.select({ n: sql<number>`count(*)::int` }).from(answers)) as [{ n: number }];
    if (Number(userCount) > 0 || Number(answerCount) > 0) return { seeded: false, answers: 0, reason: 'database_not_empty' };
  }
  const hashes = await Promise.all(demoUsers.map((u) => hashPassword(u.password)));
  const ids: Partial<Record<Role, string>> = {};
  await db.transaction(async (tx) => {
    for (const [i, u] of demoUsers.entries()) {
      const [row] = await tx
        .insert(users)
        .values({ email: u.email, name: u.name, role: u.role, passwordHash: hashes[i]! })
        .onConflictDoUpdate({ target: users.email, set: { role: u.role } })
        .returning({ id: users.id });
      ids[u.role] = row!.id;
    }
    await ensureCategories(tx, demoCategories);
    await tx.insert(settings).values({ key: STARTED, value: new Date().toISOString() }).onConflictDoNothing();
  });
  const now = Date.now();
  const records: ImportRecord[] = demoAnswers.map((a, i) => ({
    externalId: a.externalId,
    title: a.title,
    similarQuestions: a.similarQuestions,
    body: a.body,
    botText: a.botText,
    category: a.category,
    tags: a.tags,
    channels: a.channels,
    reviewDueAt: new Date(now + (30 + (i % 300)) * 24 * 3600_000).toISOString(),
  }));
  const result = await importAnswers(db, records, {
    publish: false,
    stage: true,
    actor: { kind: 'user', userId: ids.editor, keyId: undefined },
    ownerId: ids.editor,
    source: 'demo-seed',
  });
  if (result.errors.length) throw new Error(`Demo seed failed: ${result.errors.map((e) => `#${e.line} ${e.message}`).join('; ')}`);
  if (result.batchId) await approveImportBatch(db, { kind: 'user', userId: ids.reviewer }, result.batchId, 'demo content / 演示内容');
  const claimed = await db.insert(settings).values({ key: SEEDED, value: new Date().toISOString() }).onConflictDoNothing().returning();
  return claimed.length > 0 ? { seeded: true, answers: result.created } : { seeded: false, answers: 0, reason: 'already_seeded' };
}
