import { randomBytes } from 'node:crypto';
import { and, eq, lt, ne } from 'drizzle-orm';
import { sessions } from '../db/schema/index.ts';
import type { Tx } from '../db/tx.ts';
import { randomSecret, sha256 } from './secrets.ts';

export interface NewSession {
  /** The cookie value: returned once, only its SHA-256 is stored. */
  token: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Starts a browser session that ends `hours` from now (absolute, not sliding: a stolen cookie expires). */
export async function createSession(tx: Tx, userId: string, hours: number, now = new Date()): Promise<NewSession> {
  const token = randomSecret('zs');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + hours * 3600_000);
  await tx.insert(sessions).values({ id: sha256(token), userId, csrfToken, createdAt: now, expiresAt });
  // Expired rows are useless; dropping them here keeps the table small without a timer.
  await tx.delete(sessions).where(lt(sessions.expiresAt, now));
  return { token, csrfToken, expiresAt };
}

/** Ends the session whose cookie value is `token`; returns the user it belonged to, if any. */
export async function deleteSessionByToken(tx: Tx, token: string): Promise<{ userId: string } | null> {
  const [row] = await tx.delete(sessions).where(eq(sessions.id, sha256(token))).returning({ userId: sessions.userId });
  return row ?? null;
}

/**
 * Signs a user out everywhere (disabled account, new password). `exceptSessionId` keeps the session
 * that made the change, so changing your own password does not log you out.
 */
export async function deleteUserSessions(tx: Tx, userId: string, exceptSessionId?: string): Promise<void> {
  await tx
    .delete(sessions)
    .where(exceptSessionId ? and(eq(sessions.userId, userId), ne(sessions.id, exceptSessionId)) : eq(sessions.userId, userId));
}

