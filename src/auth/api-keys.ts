import { desc, eq, type SQL } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { apiKeys, users, type ApiScope } from '../db/schema/index.ts';
import { recordAudit } from '../audit/record.ts';
import { badRequest, DomainError, forbidden, notFound } from '../errors.ts';
import { scopesForRole, type Principal } from './principal.ts';
import { randomSecret, sha256 } from './secrets.ts';

/** What anyone may see about a key: never the secret or its hash. */
export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  userId: string;
  userName: string;
  rateLimitPerMin: number | null;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

const isAdmin = (actor: Principal) => actor.kind === 'master' || actor.role === 'admin';

/** Admins see every key; everyone else sees their own. */
export async function listApiKeys(db: Db, actor: Principal): Promise<ApiKeyView[]> {
  const where: SQL | undefined = isAdmin(actor) ? undefined : eq(apiKeys.userId, actor.userId ?? '00000000-0000-0000-0000-000000000000');
  const rows = await db
    .select({ key: apiKeys, userName: users.name })
    .from(apiKeys)
    .innerJoin(users, eq(users.id, apiKeys.userId))
    .where(where)
    .orderBy(desc(apiKeys.createdAt));
  return rows.map(({ key, userName }) => ({
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes as ApiScope[],
    userId: key.userId,
    userName,
    rateLimitPerMin: key.rateLimitPerMin,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  }));
}

export interface NewApiKey {
  id: string;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  userId: string;
  rateLimitPerMin: number | null;
  /** Shown exactly once; only its SHA-256 is stored. */
  secret: string;
}

/**
 * Issues a key that acts as `userId` (default: the caller) narrowed to `scopes`. People mint keys
 * for themselves only — an admin who could mint an editor's key could write as the editor and then
 * approve as themselves. The master key (operations) may issue a key for any user, e.g. a bot's
 * service account; such a key records `createdBy: 'master'`, counts the master key as a
 * contributor of whatever it writes, and can never approve or reject (four-eyes.ts). A key may
 * only carry scopes its owner's role can use, so it never looks more powerful than its owner.
 */
export async function createApiKey(
  db: Db,
  actor: Principal,
  input: { name: string; userId?: string; scopes: ApiScope[]; rateLimitPerMin?: number | null },
): Promise<NewApiKey> {
  const userId = input.userId ?? actor.userId;
  if (!userId) throw badRequest('The master key is not a user: give the userId the key should act as');
  if (userId !== actor.userId && actor.kind !== 'master') {
    throw forbidden('API keys act as their owner: each person creates their own keys (only the master key issues keys for service accounts) / 只能为自己创建密钥');
  }
  const [owner] = await db.select().from(users).where(eq(users.id, userId));
  if (!owner) throw notFound('User');
  if (owner.disabled) throw new DomainError('user_disabled', 'The user is disabled; enable them before issuing a key');
  const scopes = [...new Set(input.scopes)];
  const beyondRole = scopes.filter((s) => !scopesForRole[owner.role].includes(s));
  if (beyondRole.length > 0) {
    throw new DomainError('scope_not_allowed', `A ${owner.role} cannot hold scope ${beyondRole.join(', ')}`, { allowed: scopesForRole[owner.role], denied: beyondRole });
  }
  const secret = randomSecret('zk');
  const prefix = secret.slice(0, 11);
  return db.transaction(async (tx) => {
    const [row] = await tx
      .insert(apiKeys)
      .values({ userId, name: input.name, prefix, secretHash: sha256(secret), scopes, rateLimitPerMin: input.rateLimitPerMin ?? null, createdBy: actor.kind === 'master' ? 'master' : userId })
      .returning();
    await recordAudit(tx, actor, {
      action: 'api_key.created',
      entityType: 'api_key',
      entityId: row!.id,
      details: { name: row!.name, prefix, userId, scopes, rateLimitPerMin: row!.rateLimitPerMin, createdBy: row!.createdBy },
    });
    return { id: row!.id, name: row!.name, prefix, scopes, userId, rateLimitPerMin: row!.rateLimitPerMin, secret };
  });
}

/**
 * Revokes a key at once (every request looks the key up). Revoking twice is a no-op; someone else's
 * key is "not found" for non-admins, so key ids do not leak.
 */
export async function revokeApiKey(db: Db, actor: Principal, id: string): Promise<void> {
  await db.transaction(async (tx) => {
    const [key] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).for('update');
    if (!key || (!isAdmin(actor) && key.userId !== actor.userId)) throw notFound('API key');
    if (key.revokedAt) return;
    await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id));
    await recordAudit(tx, actor, { action: 'api_key.revoked', entityType: 'api_key', entityId: id, details: { name: key.name, prefix: key.prefix, userId: key.userId } });
  });
}
