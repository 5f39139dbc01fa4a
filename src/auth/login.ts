import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { users } from '../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { DomainError, rateLimited } from '../errors.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { clearRateLimit, hitRateLimit, refundRateLimit } from './rate-limit.ts';
import { createSession, deleteSessionByToken, type NewSession } from './sessions.ts';
import { toPublicUser, type PublicUser } from './users.ts';

/**
 * Login throttling. Every attempt is counted before the password is checked (an atomic upsert, so
 * parallel guesses cannot slip past the limit); a good login takes its hit back and clears the
 * account's count. Per email stops guessing one account; per IP stops spraying many accounts.
 */
export interface LoginLimits {
  perEmail: number;
  perIp: number;
  windowSeconds: number;
}
export const LOGIN_LIMITS: LoginLimits = { perEmail: 5, perIp: 100, windowSeconds: 15 * 60 };

export const invalidCredentials = () => new DomainError('invalid_credentials', 'Email or password is incorrect / 邮箱或密码不正确');

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** People type their password into the email field; the audit log must not keep that. */
function auditableEmail(email: string): string {
  return /^[^\s@]+@[^\s@]+$/.test(email) ? email : '(not an email address)';
}

// Unknown emails still pay for one argon2 verify, so response time does not reveal which emails exist.
let dummyHash: Promise<string> | undefined;
const timingDummy = () => (dummyHash ??= hashPassword('zhida-timing-equaliser'));

/**
 * Checks email + password and opens a session. Unknown email, wrong password and disabled account all
 * answer the same 401; the audit log records which one it was.
 */
export async function loginWithPassword(
  db: Db,
  input: { email: string; password: string; ip: string; sessionHours: number },
  limits: LoginLimits = LOGIN_LIMITS,
): Promise<{ user: PublicUser; session: NewSession }> {
  const email = normaliseEmail(input.email);
  const now = new Date();
  const emailKey = `login:email:${email}`;
  const ipKey = `login:ip:${input.ip}`;
  const byEmail = await hitRateLimit(db, emailKey, limits.perEmail, limits.windowSeconds, now);
  const byIp = await hitRateLimit(db, ipKey, limits.perIp, limits.windowSeconds, now);
  if (!byEmail.allowed || !byIp.allowed) {
    const retryAfter = Math.max(byEmail.allowed ? 0 : byEmail.retryAfter, byIp.allowed ? 0 : byIp.retryAfter);
    throw rateLimited('Too many failed sign-in attempts; try again later / 登录失败次数过多，请稍后再试', retryAfter, { retryAfter });
  }

  const [user] = await db.select().from(users).where(eq(users.email, email));
  const passwordOk = user ? await verifyPassword(user.passwordHash, input.password) : (await verifyPassword(await timingDummy(), input.password), false);
  if (!user || !passwordOk || user.disabled) {
    const reason = !user ? 'unknown_email' : !passwordOk ? 'wrong_password' : 'disabled';
    await db.transaction((tx) =>
      recordAudit(tx, { kind: 'system' }, { action: 'auth.login_failed', entityType: 'user', entityId: user?.id, details: { email: auditableEmail(email), ip: input.ip, reason } }),
    );
    throw invalidCredentials();
  }

  await clearRateLimit(db, emailKey);
  await refundRateLimit(db, ipKey, byIp.windowStart);
  const session = await db.transaction(async (tx) => {
    const created = await createSession(tx, user.id, input.sessionHours, now);
    await recordAudit(tx, { kind: 'user', userId: user.id }, { action: 'auth.login', entityType: 'user', entityId: user.id, details: { ip: input.ip } });
    return created;
  });
  return { user: toPublicUser(user), session };
}

/** Ends the session of this cookie value (if it is still there) and audits who left. */
export async function logout(db: Db, token: string): Promise<void> {
  await db.transaction(async (tx) => {
    const ended = await deleteSessionByToken(tx, token);
    if (ended) await recordAudit(tx, { kind: 'user', userId: ended.userId }, { action: 'auth.logout', entityType: 'user', entityId: ended.userId });
  });
}
