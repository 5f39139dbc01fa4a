import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { settings, users, type Role } from '../db/schema/index.ts';
import { hashPassword } from '../auth/passwords.ts';
import { importAnswers, type ImportRecord } from '../answers/import.ts';
import { ensureCategories } from '../answers/categories.ts';
import { demoAnswers, demoCategories } from './answers.ts';

export const demoUsers: { email: string; name: string; role: Role; password: string }[] = [
  { email: 'admin@zhida.local', name: '管理员 Admin', role: 'admin', password: 'zhida-admin-demo' },
  { email: 'reviewer@zhida.local', name: '审核员 李审', role: 'reviewer', password: 'zhida-reviewer-demo' },
  { email: 'editor@zhida.local', name: '编辑 王编', role: 'editor', password: 'zhida-editor-demo' },
  { email: 'agent@zhida.local', name: '坐席 张坐', role: 'agent', password: 'zhida-agent-demo' },
];

const SEEDED = 'demo_seeded_at';

/**
 * Seeds the demo once per database: one user per role and the demo answers, published through the
 * real import (importAnswers), so the seed fires the same hooks (search index, embedding queue) and
 * audit entries as any bulk import by the demo admin; the demo editor owns the answers.
 *
 * The marker is written after the import: a start that crashes half-way seeds again next time, and
 * the import is idempotent by externalId, so nothing is duplicated. Once the marker exists the seed
 * never runs again, so later edits to demo answers are never overwritten.
 */
export async function seedDemo(db: Db): Promise<{ seeded: boolean; answers: number }> {
  const [marker] = await db.select().from(settings).where(eq(settings.key, SEEDED));
  if (marker) return { seeded: false, answers: 0 };
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
    publish: true,
    actor: { kind: 'user', userId: ids.admin },
    ownerId: ids.editor,
    source: 'demo-seed',
  });
  if (result.errors.length) throw new Error(`Demo seed failed: ${result.errors.map((e) => `#${e.line} ${e.message}`).join('; ')}`);
  const claimed = await db.insert(settings).values({ key: SEEDED, value: new Date().toISOString() }).onConflictDoNothing().returning();
  return { seeded: claimed.length > 0, answers: result.created };
}
