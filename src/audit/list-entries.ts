import { and, desc, eq, gte, lt, lte, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Db } from '../db/client.ts';
import { apiKeys, auditLog, users } from '../db/schema/index.ts';

export interface AuditFilters {
  action?: string;
  entityType?: string;
  entityId?: string;
  actorId?: string;
  from?: string;
  to?: string;
  /** Cursor: only entries with a smaller id (the previous page's nextBefore). */
  before?: number;
  limit?: number;
}

export interface AuditListItem {
  id: number;
  at: string;
  actorKind: 'user' | 'api_key' | 'master' | 'system';
  actorId: string | null;
  /** The user's name, or "key name (owner)" for API keys; "master key" / "system" otherwise. */
  actorName: string | null;
  action: string;
  entityType: string | null;
  entityId: string | null;
  details: unknown;
}

/** Newest first, keyset-paginated by id (stable while new entries are appended). */
export async function listAuditEntries(db: Db, f: AuditFilters): Promise<{ items: AuditListItem[]; nextBefore: number | null }> {
  const limit = f.limit ?? 50;
  const conditions: SQL[] = [];
  if (f.action) conditions.push(eq(auditLog.action, f.action));
  if (f.entityType) conditions.push(eq(auditLog.entityType, f.entityType));
  if (f.entityId) conditions.push(eq(auditLog.entityId, f.entityId));
  if (f.actorId) conditions.push(eq(auditLog.actorId, f.actorId));
  if (f.from) conditions.push(gte(auditLog.at, new Date(f.from).toISOString()));
  if (f.to) conditions.push(lte(auditLog.at, new Date(f.to).toISOString()));
  if (f.before !== undefined) conditions.push(lt(auditLog.id, f.before));
  const keyOwner = alias(users, 'key_owner');
  const rows = await db
    .select({ entry: auditLog, userName: users.name, keyName: apiKeys.name, keyOwnerName: keyOwner.name })
    .from(auditLog)
    .leftJoin(users, and(eq(auditLog.actorKind, 'user'), eq(sql`${users.id}::text`, auditLog.actorId)))
    .leftJoin(apiKeys, and(eq(auditLog.actorKind, 'api_key'), eq(sql`${apiKeys.id}::text`, auditLog.actorId)))
    .leftJoin(keyOwner, eq(keyOwner.id, apiKeys.userId))
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const items = page.map(({ entry, userName, keyName, keyOwnerName }) => ({
    id: entry.id,
    at: new Date(entry.at).toISOString(),
    actorKind: entry.actorKind,
    actorId: entry.actorId,
    actorName:
      entry.actorKind === 'user'
        ? userName
        : entry.actorKind === 'api_key'
          ? keyName && `${keyName}${keyOwnerName ? ` (${keyOwnerName})` : ''}`
          : entry.actorKind === 'master'
            ? 'master key'
            : 'system',
    action: entry.action,
    entityType: entry.entityType,
    entityId: entry.entityId,
    details: entry.details,
  }));
  return { items, nextBefore: rows.length > limit ? items.at(-1)!.id : null };
}
