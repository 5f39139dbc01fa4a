import { eq } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { settings } from '../db/schema/index.ts';
import { randomSecret, sha256 } from './secrets.ts';

const KEY = 'master_token_hash';

/**
 * Makes sure a master key exists. With ZHIDA_ADMIN_TOKEN set, that token is the master key (its hash
 * replaces any stored one). Without it, the first start generates one, stores only its hash and
 * returns the token so it can be printed exactly once.
 */
export async function ensureMasterToken(db: Db, configured?: string): Promise<{ generated?: string; hash: string }> {
  if (configured) {
    const hash = sha256(configured);
    await db
      .insert(settings)
      .values({ key: KEY, value: hash })
      .onConflictDoUpdate({ target: settings.key, set: { value: hash, updatedAt: new Date() } });
    return { hash };
  }
  const [row] = await db.select().from(settings).where(eq(settings.key, KEY));
  if (row) return { hash: row.value as string };
  const token = randomSecret('zhida_master');
  const hash = sha256(token);
  const inserted = await db.insert(settings).values({ key: KEY, value: hash }).onConflictDoNothing().returning();
  if (inserted.length === 0) {
    // Another node won the race; use its key.
    const [winner] = await db.select().from(settings).where(eq(settings.key, KEY));
    return { hash: winner!.value as string };
  }
  return { generated: token, hash };
}

export async function masterTokenHash(db: Db): Promise<string | undefined> {
  const [row] = await db.select().from(settings).where(eq(settings.key, KEY));
  return row?.value as string | undefined;
}
