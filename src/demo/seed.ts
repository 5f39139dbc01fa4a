import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { answers, answerVersions, categories, settings, users, type Role } from '../db/schema/index.ts';
import { hashPassword } from '../auth/passwords.ts';
import { richBodyFromMarkdownOrHtml } from '../answers/rich-text.ts';
import { demoAnswers, demoCategories } from './answers.ts';

export const demoUsers: { email: string; name: string; role: Role; password: string }[] = [
  { email: 'admin@zhida.local', name: '管理员 Admin', role: 'admin', password: 'zhida-admin-demo' },
  { email: 'reviewer@zhida.local', name: '审核员 李审', role: 'reviewer', password: 'zhida-reviewer-demo' },
  { email: 'editor@zhida.local', name: '编辑 王编', role: 'editor', password: 'zhida-editor-demo' },
  { email: 'agent@zhida.local', name: '坐席 张坐', role: 'agent', password: 'zhida-agent-demo' },
];

const SEEDED = 'demo_seeded_at';

/**
 * Seeds the demo once per database: one user per role and the demo answers, published (written by
 * the demo editor, approved by the demo reviewer). A marker row makes it idempotent across restarts
 * and across several nodes starting at once.
 */
export async function seedDemo(db: Db): Promise<{ seeded: boolean; answers: number }> {
  const [marker] = await db.select().from(settings).where(eq(settings.key, SEEDED));
  if (marker) return { seeded: false, answers: 0 };
  const hashes = await Promise.all(demoUsers.map((u) => hashPassword(u.password)));
  const bodies = demoAnswers.map((a) => richBodyFromMarkdownOrHtml(a.body));
  return db.transaction(async (tx) => {
    const claimed = await tx.insert(settings).values({ key: SEEDED, value: new Date().toISOString() }).onConflictDoNothing().returning();
    if (claimed.length === 0) return { seeded: false, answers: 0 };
    const ids: Record<string, string> = {};
    for (const [i, u] of demoUsers.entries()) {
      const [row] = await tx
        .insert(users)
        .values({ email: u.email, name: u.name, role: u.role, passwordHash: hashes[i]! })
        .onConflictDoUpdate({ target: users.email, set: { role: u.role } })
        .returning({ id: users.id });
      ids[u.role] = row!.id;
    }
    await tx
      .insert(categories)
      .values(demoCategories.map((path) => ({ path, name: path.split('/').at(-1)!, parentPath: path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : null })))
      .onConflictDoNothing();
    const now = new Date();
    let count = 0;
    for (const [i, a] of demoAnswers.entries()) {
      const [answer] = await tx.insert(answers).values({ externalId: a.externalId, ownerId: ids.editor }).onConflictDoNothing().returning({ id: answers.id });
      if (!answer) continue;
      const body = bodies[i]!;
      const [version] = await tx
        .insert(answerVersions)
        .values({
          answerId: answer.id,
          number: 1,
          status: 'published',
          title: a.title,
          similarQuestions: a.similarQuestions,
          bodyJson: body.json,
          bodyHtml: body.html,
          bodyText: body.text,
          botText: a.botText,
          botTextDerived: 0,
          categoryPath: a.category,
          tags: a.tags,
          channels: a.channels,
          authorId: ids.editor,
          reviewerId: ids.reviewer,
          submittedAt: now,
          reviewedAt: now,
          publishedAt: now,
          reviewDueAt: new Date(now.getTime() + (30 + (i % 300)) * 24 * 3600_000),
        })
        .returning({ id: answerVersions.id });
      await tx.update(answers).set({ liveVersionId: version!.id }).where(eq(answers.id, answer.id));
      count++;
    }
    return { seeded: true, answers: count };
  });
}
