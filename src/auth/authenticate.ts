import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { apiKeys, sessions, users, type ApiScope } from '../db/schema/index.ts';
import { masterTokenHash } from './master-token.ts';
import { masterPrincipal, type Principal } from './principal.ts';
import { safeEqual, sha256 } from './secrets.ts';

const LAST_USED_PRECISION_MS = 60_000;
const MASTER_CACHE_MS = 10_000;
const masterCache = new WeakMap<Db, { hash: string | undefined; at: number }>();

/**
 * The master key's hash changes only when a node starts with a new ZHIDA_ADMIN_TOKEN, so it is read
 * from the database at most every few seconds instead of on every bearer request.
 */
async function cachedMasterHash(db: Db): Promise<string | undefined> {
  const hit = masterCache.get(db);
  if (hit && Date.now() - hit.at < MASTER_CACHE_MS) return hit.hash;
  const hash = await masterTokenHash(db);
  masterCache.set(db, { hash, at: Date.now() });
  return hash;
}

/** Resolves `Authorization: Bearer <token>`: the master key or an active API key of an active user. */
export async function principalFromBearer(db: Db, token: string): Promise<Principal | null> {
  const hash = sha256(token);
  const master = await cachedMasterHash(db);
  if (master && safeEqual(master, hash)) return masterPrincipal;
  const [row] = await db
    .select({ key: apiKeys, user: users })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(and(eq(apiKeys.secretHash, hash), isNull(apiKeys.revokedAt), eq(users.disabled, false)));
  if (!row) return null;
  // last-used is informative (minute precision): a busy bot must not cost a write per request, and a
  // lost update under concurrency is harmless.
  const now = new Date();
  if (!row.key.lastUsedAt || now.getTime() - row.key.lastUsedAt.getTime() > LAST_USED_PRECISION_MS) {
    await db.update(apiKeys).set({ lastUsedAt: now }).where(eq(apiKeys.id, row.key.id));
  }
  return {
    kind: 'api_key',
    userId: row.user.id,
    name: row.key.name,
    role: row.user.role,
    scopes: row.key.scopes as ApiScope[],
    keyId: row.key.id,
    keyCreatedBy: row.key.createdBy,
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
