import { channels as allChannels, type Channel } from '../db/schema/index.ts';
import { botTextOfDoc } from './bot-text.ts';
import type { RichBody, RichDoc } from './rich-text.ts';

/** The editable content of a version: what authors write and what diff, import and export compare. */
export interface VersionContent {
  title: string;
  similarQuestions: string[];
  bodyJson: RichDoc;
  bodyHtml: string;
  bodyText: string;
  botText: string;
  /** 1 when botText was derived from the body (and follows it on edits), 0 when written by hand. */
  botTextDerived: number;
  categoryPath: string | null;
  tags: string[];
  channels: Channel[];
  effectiveFrom: Date | null;
  expiresAt: Date | null;
  reviewDueAt: Date | null;
}

/** Trimmed, non-empty, first occurrence kept, order preserved. */
export function cleanList(values: readonly string[] | undefined): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const v of values ?? []) {
    const t = v.trim();
    if (t && !seen.has(t)) {
      seen.add(t);
      out.push(t);
    }
  }
  return out;
}

/** Channels in canonical order, so ['web','bot'] and ['bot','web'] are the same content. */
export function cleanChannels(values: readonly string[] | undefined): Channel[] {
  const set = new Set(values ?? allChannels);
  return allChannels.filter((c) => set.has(c));
}

/** Bot text: the author's when given (non-empty), else derived from the body (lists and tables line by line). */
export function botTextFor(body: RichBody, written: string | null | undefined): { botText: string; botTextDerived: number } {
  const t = written?.trim();
  return t ? { botText: t, botTextDerived: 0 } : { botText: botTextOfDoc(body.json), botTextDerived: 1 };
}

const sameTime = (a: Date | null, b: Date | null) => (a?.getTime() ?? null) === (b?.getTime() ?? null);
const sameList = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Same content as far as readers can tell (the body compared by its sanitised HTML). */
export function sameContent(a: VersionContent, b: VersionContent): boolean {
  return (
    a.title === b.title &&
    sameList(a.similarQuestions, b.similarQuestions) &&
    a.bodyHtml === b.bodyHtml &&
    a.botText === b.botText &&
    a.botTextDerived === b.botTextDerived &&
    a.categoryPath === b.categoryPath &&
    sameList(a.tags, b.tags) &&
    sameList(a.channels, b.channels) &&
    sameTime(a.effectiveFrom, b.effectiveFrom) &&
    sameTime(a.expiresAt, b.expiresAt) &&
    sameTime(a.reviewDueAt, b.reviewDueAt)
  );
}
