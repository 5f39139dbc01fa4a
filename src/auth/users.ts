import { and, asc, eq, ne, sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { users, type Role } from '../db/schema/index.ts';
import { recordAudit, type AuditActor } from '../audit/record.ts';
import { DomainError, notFound, rateLimited, unauthorized } from '../errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { hitRateLimit } from './rate-limit.ts';
import { deleteUserSessions } from './sessions.ts';

export const locales = ['zh-CN', 'en'] as const;
export type Locale = (typeof locales)[number];

/** Staff passwords: long enough to resist guessing, short enough that argon2 input stays cheap. */
export const PASSWORD_MIN = 10;
export const PASSWORD_MAX = 200;

type UserRow = typeof users.$inferSelect;

/** What a user may see about themselves (login, /auth/me). */
export interface PublicUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  locale: string;
}

/** What an admin sees in the user list. */
export interface UserListItem extends PublicUser {
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export function toPublicUser(u: UserRow): PublicUser {
  return { id: u.id, name: u.name, email: u.email, role: u.role, locale: u.locale };
}

export function toUserListItem(u: UserRow): UserListItem {
  return { ...toPublicUser(u), disabled: u.disabled, createdAt: u.createdAt.toISOString(), updatedAt: u.updatedAt.toISOString() };
}

export const emailTaken = (email: string) => new DomainError('email_taken', `A user with email ${email} already exists / 该邮箱已被使用`);

export async function listUsers(db: Db): Promise<UserListItem[]> {
  const rows = await db.select().from(users).orderBy(asc(users.createdAt), asc(users.email));
  return rows.map(toUserListItem);
}

export async function getUser(db: Db, id: string): Promise<UserRow | undefined> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  return row;
}

/** Creates a staff account (admin API and `zhida user create`). Email is stored lower-cased. */
export async function createUser(
  db: Db,
  actor: AuditActor,
  input: { name: string; email: string; password: string; role: Role; locale?: Locale },
): Promise<UserListItem> {
  const email = input.email.trim().toLowerCase();
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(users)
      .values({ name: input.name, email, passwordHash, role: input.role, locale: input.locale ?? 'zh-CN' })
      .onConflictDoNothing({ target: users.email })
      .returning();
    if (!row) throw emailTaken(email);
    await recordAudit(tx, actor, { action: 'user.created', entityType: 'user', entityId: row.id, details: { email, name: row.name, role: row.role } });
    return toUserListItem(row);
  });
}

export interface UserPatch {
  name?: string;
  role?: Role;
  disabled?: boolean;
  password?: string;
}

// Serialises changes that could remove the last admin, across connections and API nodes.
const ADMIN_GUARD_LOCK = 7271002;

/**
 * An admin changes a user. Role changes and (re-)enabling are audited; disabling or a new password
 * signs the user out everywhere. The last active admin cannot be demoted or disabled (409), or
 * nobody could manage users again without the master key.
 */
export async function updateUser(db: Db, actor: AuditActor, id: string, patch: UserPatch): Promise<UserListItem> {
  const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${ADMIN_GUARD_LOCK})`);
    const [before] = await tx.select().from(users).where(eq(users.id, id));
    if (!before) throw notFound('User');
    const role = patch.role ?? before.role;
    const disabled = patch.disabled ?? before.disabled;
    const losesAdmin = before.role === 'admin' && !before.disabled && (role !== 'admin' || disabled);
    if (losesAdmin) {
      const [{ others }] = (await tx
        .select({ others: sql<number>`count(*)::int` })
        .from(users)
        .where(and(eq(users.role, 'admin'), eq(users.disabled, false), ne(users.id, id)))) as [{ others: number }];
      if (others === 0) {
        throw new DomainError('last_admin', 'This is the last active admin; make someone else admin first / 这是最后一位有效管理员，请先指定其他管理员');
      }
    }
    const [after] = await tx
      .update(users)
      .set({ name: patch.name ?? before.name, role, disabled, ...(passwordHash ? { passwordHash } : {}), updatedAt: new Date() })
      .where(eq(users.id, id))
      .returning();
    const entity = { entityType: 'user', entityId: id } as const;
    if (role !== before.role) await recordAudit(tx, actor, { action: 'user.role_changed', ...entity, details: { from: before.role, to: role } });
    if (disabled !== before.disabled) await recordAudit(tx, actor, { action: disabled ? 'user.disabled' : 'user.enabled', ...entity, details: {} });
    if (patch.name !== undefined && patch.name !== before.name) {
      await recordAudit(tx, actor, { action: 'user.renamed', ...entity, details: { from: before.name, to: patch.name } });
    }
    if (passwordHash) await recordAudit(tx, actor, { action: 'user.password_reset', ...entity, details: {} });
    if (passwordHash || (disabled && !before.disabled)) await deleteUserSessions(tx, id);
    return toUserListItem(after!);
  });
}

/**
 * A signed-in user changes their own locale or password. A new password needs the current one and
 * signs out every other session of the user (the one making the change stays).
 */
export async function updateOwnProfile(
  db: Db,
  userId: string,
  patch: { locale?: Locale; password?: string; currentPassword?: string },
  currentSessionId?: string,
): Promise<PublicUser> {
  const before = await getUser(db, userId);
  if (!before || before.disabled) throw unauthorized();
  let passwordHash: string | undefined;
  if (patch.password !== undefined) {
    // A stolen session must not become an unlimited password oracle.
    const attempts = await hitRateLimit(db, `password:user:${userId}`, 5, 15 * 60);
    if (!attempts.allowed) {
      throw rateLimited('Too many password attempts; try again later / 尝试次数过多，请稍后再试', attempts.retryAfter);
    }
    if (patch.currentPassword === undefined || !(await verifyPassword(before.passwordHash, patch.currentPassword))) {
      throw new DomainError('wrong_password', 'The current password is not correct / 当前密码不正确');
    }
    passwordHash = await hashPassword(patch.password);
  }
  return db.transaction(async (tx) => {
    const [after] = await tx
      .update(users)
      .set({ locale: patch.locale ?? before.locale, ...(passwordHash ? { passwordHash } : {}), updatedAt: new Date() })
      .where(eq(users.id, userId))
      .returning();
    if (passwordHash) {
      await recordAudit(tx, { kind: 'user', userId }, { action: 'user.password_changed', entityType: 'user', entityId: userId, details: {} });
      await deleteUserSessions(tx, userId, currentSessionId);
    }
    return toPublicUser(after!);
  });
}
