import { asc } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { searchSynonyms, settings } from '../db/schema/index.ts';
import type { WeightedTerm } from './engine/keyword-engine.ts';
import { synonymsChanged } from './engine/feed.ts';
import { normaliseText } from './normalise.ts';
import { analyse } from './segment.ts';

/**
 * Synonym expansion weight: a synonym found in an answer counts this much of the query's own
 * word. Below 1 so an answer using the customer's exact word still ranks first.
 */
export const SYNONYM_WEIGHT = 0.7;

/** Bank-term groups every installation starts with; content staff edit them on the admin page. */
export const seedSynonymGroups: string[][] = [
  ['挂失', '丢失', '丢了', '遗失', '不见了', '找不到'],
  ['密码', '口令'],
  ['转账', '汇款', '打款', '转钱'],
  ['信用卡', '贷记卡'],
  ['借记卡', '储蓄卡'],
  ['销户', '注销账户'],
  ['手机银行', '银行app', '手机app'],
  ['网上银行', '网银'],
  ['冻结', '锁定'],
  ['人工客服', '人工服务'],
  // English counterparts of the groups above (the product is bilingual).
  ['lost', 'missing', 'stolen'],
  ['password', 'passcode', 'pin'],
  ['transfer', 'send money', 'move money', 'wire'],
];

export interface SynonymGroup {
  id: string;
  phrases: string[];
}

const SEEDED = 'search_synonyms_seeded_at';

/** Cleans a group as staff typed it: normalised, unique, non-empty phrases. */
export function cleanPhrases(phrases: string[]): string[] {
  return [...new Set(phrases.map(normaliseText).filter((p) => p.length > 0))];
}

/** Seeds the bank-term groups once per database (a marker row keeps deleted seeds deleted). */
export async function seedSynonyms(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    const claimed = await tx.insert(settings).values({ key: SEEDED, value: new Date().toISOString() }).onConflictDoNothing().returning();
    if (claimed.length === 0) return;
    await tx.insert(searchSynonyms).values(seedSynonymGroups.map((g) => ({ phrases: cleanPhrases(g) })));
    await synonymsChanged(tx);
  });
}

/** The groups as analysed term sequences (each phrase -> its index terms), as the engine keeps them. */
export function analyseSynonymGroups(groups: readonly string[][]): string[][][] {
  return groups.map((phrases) => phrases.map((p) => analyse(normaliseText(p))).filter((t) => t.length > 0));
}

function containsSequence(terms: string[], seq: string[]): boolean {
  outer: for (let i = 0; i + seq.length <= terms.length; i++) {
    for (let j = 0; j < seq.length; j++) if (terms[i + j] !== seq[j]) continue outer;
    return true;
  }
  return false;
}

/**
 * The query's terms (weight 1) plus, for every synonym group one of whose phrases occurs in the
 * query, the terms of the group's other phrases at SYNONYM_WEIGHT.
 */
export function expandWithSynonyms(terms: string[], groups: string[][][]): WeightedTerm[] {
  const weights = new Map<string, number>();
  for (const t of terms) weights.set(t, 1);
  for (const group of groups) {
    if (!group.some((seq) => containsSequence(terms, seq))) continue;
    for (const seq of group) for (const t of seq) if (!weights.has(t)) weights.set(t, SYNONYM_WEIGHT);
  }
  return [...weights].map(([term, weight]) => ({ term, weight }));
}

export async function listSynonyms(db: Db): Promise<SynonymGroup[]> {
  return db.select({ id: searchSynonyms.id, phrases: searchSynonyms.phrases }).from(searchSynonyms).orderBy(asc(searchSynonyms.createdAt));
}
