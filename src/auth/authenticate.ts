import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { apiKeys, sessions, users, type ApiScope } from '../db/schema/index.ts';
import { masterTokenHash } from './master-token.ts';
import { masterPrincipal, type Principal } from './principal.ts';
import { safeEqual, sha256 } from './secrets.ts';

/** Resolves `Authorization: Bearer <token>`: the master key or an active API key of an active user. */
export async function principalFromBearer(db: Db, token: string): Promise<Principal | null> {
  const hash = sha256(token);
  const master = await masterTokenHash(db);
  if (master && safeEqual(master, hash)) return masterPrincipal;
  const [row] = await db
    .select({ key: apiKeys, user: users })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.secretHash, hash), isNull(apiKeys.revokedAt), eq(users.disabled, false)));
  if (!row) return null;
  // last-used is informative; a lost update under concurrency is harmless.
  await db.update(apiKeys).set({ lastUsedAt: new Date() }).where(eq(apiKeys.id, row.key.id));
  return {
    kind: 'api_key',
    userId: row.user.id,
    name: row.key.name,
    role: row.user.role,
    scopes: row.key.scopes as ApiScope[],
    keyId: row.key.id,
    rateLimitPerMin: row.key.rateLimitPerMin,
  };
}

/** Resolves a session cookie value to its user, if the session is live. */
export async function principalFromSession(db: Db, cookie: string): Promise<{ principal: Principal; csrfToken: string } | null> {
  const [row] = await db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sha256(cookie)), gt(sessions.expiresAt, new Date()), eq(users.disabled, false)));
  if (!row) return null;
  return {
    principal: {
      kind: 'user',
      userId: row.user.id,
      name: row.user.name,
      role: row.user.role,
      scopes: 'all',
      sessionId: row.session.id,
      csrfToken: row.session.csrfToken,
    },
    csrfToken: row.session.csrfToken,
  };
}
