import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerUsage } from '../../src/analytics/answer-usage.ts';
import { freshnessList } from '../../src/analytics/freshness.ts';
import { gapList } from '../../src/analytics/gap-list.ts';
import { notificationsFor } from '../../src/analytics/notifications.ts';
import { analyticsOverview } from '../../src/analytics/overview.ts';
import { resolvePeriod } from '../../src/analytics/period.ts';
import { topQueries } from '../../src/analytics/top-queries.ts';
import type { Database } from '../../src/db/client.ts';
import { answers, answerVersions, searchClicks, searchFeedback, searchLog, users } from '../../src/db/schema/index.ts';
import { createTestDatabase } from '../helpers/db.ts';

const NOW = new Date('2026-11-29T12:00:00Z');
const DAY = 86_400_000;
const daysFromNow = (d: number) => new Date(NOW.getTime() + d * DAY);
const THRESHOLD = 0.5;

describe('analytics reports over the search log (real PGlite)', () => {
  let database: Database;
  let owner: string;
  let other: string;
  const ids: Record<string, string> = {};
  let searchIds: string[] = [];

  async function answer(key: string, title: string, dates: { reviewDueAt?: Date; expiresAt?: Date; status?: 'published' | 'draft' } = {}, ownerId = owner) {
    const [a] = await database.db.insert(answers).values({ ownerId }).returning();
    await database.db.insert(answerVersions).values({
      answerId: a!.id, number: 1, status: dates.status ?? 'published', title, bodyJson: {}, bodyHtml: `<p>${title}</p>`, bodyText: title, botText: title,
      categoryPath: '信用卡', reviewDueAt: dates.reviewDueAt ?? null, expiresAt: dates.expiresAt ?? null, publishedAt: daysFromNow(-100),
    });
    ids[key] = a!.id;
  }

  async function log(query: string, opts: { day: number; source?: 'search' | 'bot' | 'assist'; channel?: string | null; results?: string[]; confidence?: number | null; ms?: number; handoff?: boolean }) {
    const [row] = await database.db
      .insert(searchLog)
      .values({
        at: new Date(daysFromNow(opts.day).getTime() - 3600_000),
        source: opts.source ?? 'search',
        query,
        normalised: query.toLowerCase(),
        mode: 'keyword',
        resultIds: opts.results ?? [],
        resultCount: (opts.results ?? []).length,
        topScore: opts.confidence ?? null,
        topConfidence: opts.confidence ?? null,
        latencyMs: opts.ms ?? 10,
        channel: opts.channel ?? null,
        handoff: opts.handoff ?? null,
      })
      .returning();
    return row!.id;
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const [u1, u2] = await database.db
      .insert(users)
      .values([
        { email: 'owner@bank.test', name: '王编辑', passwordHash: 'x', role: 'editor' },
        { email: 'other@bank.test', name: '李编辑', passwordHash: 'x', role: 'editor' },
      ])
      .returning();
    owner = u1!.id;
    other = u2!.id;
    await answer('lost', '信用卡挂失', { reviewDueAt: daysFromNow(-3) });
    await answer('fee', '信用卡年费', { expiresAt: daysFromNow(10), reviewDueAt: daysFromNow(20) });
    await answer('fresh', '网银登录', { reviewDueAt: daysFromNow(90) });
    await answer('othersDue', '外币兑换', { reviewDueAt: daysFromNow(5) }, other);
    await answer('draftOnly', '草稿答案', { reviewDueAt: daysFromNow(-1), status: 'draft' });

    // Day -2: four searches on the agent channel, one zero-result, one low-confidence.
    searchIds.push(await log('信用卡挂失', { day: -2, channel: 'agent', results: [ids.lost!, ids.fee!], confidence: 0.9, ms: 10 }));
    searchIds.push(await log('信用卡挂失', { day: -2, channel: 'agent', results: [ids.lost!], confidence: 0.8, ms: 20 }));
    await log('怎么开通外汇业务', { day: -2, channel: 'agent', results: [], confidence: null, ms: 30 });
    await log('外汇业务怎么开通', { day: -2, source: 'assist', results: [ids.othersDue!], confidence: 0.2, ms: 40 });
    // Day -1: bot turns, one handed off; one search long ago (outside a 7-day period).
    await log('比特币怎么买', { day: -1, source: 'bot', channel: 'bot', results: [], confidence: null, ms: 100, handoff: true });
    await log('信用卡年费多少', { day: -1, source: 'bot', channel: 'bot', results: [ids.fee!], confidence: 0.95, ms: 50, handoff: false });
    await log('信用卡挂失', { day: -60, channel: 'agent', results: [ids.lost!], confidence: 0.9 });

    await database.db.insert(searchClicks).values({ searchId: searchIds[0]!, answerId: ids.lost!, position: 1, action: 'insert', at: daysFromNow(-2) });
    await database.db.insert(searchFeedback).values([
      { answerId: ids.lost!, helpful: true, at: daysFromNow(-2), searchId: searchIds[0]! },
      { answerId: ids.lost!, helpful: false, comment: '缺少境外挂失电话', at: daysFromNow(-2) },
      { answerId: ids.fee!, helpful: true, at: daysFromNow(-1) },
    ]);
  });
  afterAll(async () => database?.close());

  const week = () => resolvePeriod({ days: 7 }, NOW);

  it('counts searches per day by channel and computes the rates over the period', async () => {
    const o = await analyticsOverview(database.db, week(), THRESHOLD);
    expect(o.daily).toHaveLength(7);
    expect(o.daily.at(-1)!.day).toBe('2026-11-29');
    const d2 = o.daily.find((d) => d.day === '2026-11-27')!;
    expect(d2.byChannel).toEqual({ agent: 4 });
    expect(d2.searches).toBe(4);
    expect(d2.zeroResultRate).toBe(0.25);
    expect(d2.lowConfidenceRate).toBe(0.25);
    // 3 searches found something, 1 of them was clicked
    expect(d2.clickThrough).toBeCloseTo(1 / 3);
    const d1 = o.daily.find((d) => d.day === '2026-11-28')!;
    expect(d1.byChannel).toEqual({ bot: 2 });
    expect(d1.handoffRate).toBe(0.5);
    expect(o.daily.find((d) => d.day === '2026-11-25')!.searches).toBe(0);

    expect(o.totals.searches).toBe(6); // the search 60 days ago is outside the period
    expect(o.totals.botTurns).toBe(2);
    expect(o.totals.handoffRate).toBe(0.5);
    expect(o.totals.helpfulRate).toBeCloseTo(2 / 3);
    expect(o.totals.zeroResultRate).toBeCloseTo(2 / 6);
    expect(o.totals.lowConfidenceRate).toBeCloseTo(1 / 6);
    // p95 of 10,20,30,40,100,50 (continuous percentile) = 87.5
    expect(o.totals.p95LatencyMs).toBe(87.5);
    expect(o.channels).toEqual(['agent', 'bot']);
  });

  it('lists top queries by normalised form with their zero-result and click-through figures', async () => {
    const top = await topQueries(database.db, week(), THRESHOLD);
    expect(top[0]).toMatchObject({ query: '信用卡挂失', count: 2, zeroResults: 0, clickThrough: 0.5 });
    expect(top.map((t) => t.query)).toContain('比特币怎么买');
  });

  it('groups zero-result and low-confidence queries into gaps with a candidate answer', async () => {
    const gaps = await gapList(database.db, week(), THRESHOLD);
    const fx = gaps.find((g) => g.variants.some((v) => v.query === '怎么开通外汇业务'))!;
    expect(fx.count).toBe(2);
    expect(fx.zeroResults).toBe(1);
    expect(fx.lowConfidence).toBe(1);
    expect(fx.candidate).toEqual({ answerId: ids.othersDue, title: '外币兑换' });
    expect(gaps.some((g) => g.query === '比特币怎么买')).toBe(true);
    // confident searches are not gaps
    expect(gaps.some((g) => g.query === '信用卡挂失' || g.query === '信用卡年费多少')).toBe(false);
  });

  it('reports per-answer usage and feedback with the latest comments', async () => {
    const usage = await answerUsage(database.db, week());
    const lost = usage.find((u) => u.answerId === ids.lost)!;
    expect(lost).toMatchObject({ title: '信用卡挂失', servedFirst: 2, clicks: 1, helpful: 1, notHelpful: 1, helpfulRate: 0.5, comments: ['缺少境外挂失电话'] });
    const fee = usage.find((u) => u.answerId === ids.fee)!;
    expect(fee).toMatchObject({ servedFirst: 1, helpful: 1, notHelpful: 0 });
    expect(usage.some((u) => u.answerId === ids.fresh)).toBe(false);
  });

  it('lists live answers due for review or expiring in the next 30 days, soonest first', async () => {
    const items = await freshnessList(database.db, { now: NOW });
    expect(items.map((i) => i.title)).toEqual(['信用卡挂失', '外币兑换', '信用卡年费']);
    expect(items[0]).toMatchObject({ states: ['review_overdue'], daysLeft: -3, owner: { id: owner, name: '王编辑' } });
    expect(items[2]!.states).toEqual(['review_due', 'expiring']);
    // drafts are not live, answers due in 90 days are not due yet
    expect(items.some((i) => i.title === '草稿答案' || i.title === '网银登录')).toBe(false);
  });

  it('reminds each owner only about their own answers', async () => {
    const mine = await notificationsFor(database.db, owner, NOW);
    expect(mine.map((n) => [n.title, n.kind])).toEqual([
      ['信用卡挂失', 'review_overdue'],
      ['信用卡年费', 'review_due'],
      ['信用卡年费', 'expiring'],
    ]);
    expect(new Set(mine.map((n) => n.id)).size).toBe(3);
    const theirs = await notificationsFor(database.db, other, NOW);
    expect(theirs.map((n) => n.title)).toEqual(['外币兑换']);
  });

  it('refuses a period that ends before it starts or spans more than a year', () => {
    expect(() => resolvePeriod({ from: '2026-11-20', to: '2026-11-01' }, NOW)).toThrow(RangeError);
    expect(() => resolvePeriod({ from: '2020-01-01', to: '2026-11-01' }, NOW)).toThrow(RangeError);
    expect(resolvePeriod({ from: '2026-11-01', to: '2026-11-01' }, NOW)).toEqual({ from: new Date('2026-11-01T00:00:00Z'), to: new Date('2026-11-02T00:00:00Z') });
  });

  it('does not count a request for a person as a knowledge gap', async () => {
    await log('转人工', { day: -1, source: 'bot', channel: 'bot', results: [], handoff: true });
    await log('I want to talk to a human', { day: -1, source: 'bot', channel: 'bot', results: [], handoff: true });
    const gaps = await gapList(database.db, week(), THRESHOLD);
    expect(gaps.some((g) => g.variants.some((v) => v.query === '转人工' || v.query.includes('human')))).toBe(false);
    expect(gaps.some((g) => g.query === '比特币怎么买')).toBe(true);
  });

  it('shows which gaps are already being closed by a similar question', async () => {
    const before = await gapList(database.db, week(), THRESHOLD);
    expect(before.find((g) => g.query === '比特币怎么买')!.addedTo).toBeNull();
    const [a] = await database.db.insert(answers).values({ ownerId: owner }).returning();
    await database.db.insert(answerVersions).values({
      answerId: a!.id, number: 1, status: 'in_review', title: '数字资产说明', similarQuestions: ['比特币怎么买'], bodyJson: {}, bodyHtml: '', bodyText: '', botText: '',
    });
    const after = await gapList(database.db, week(), THRESHOLD);
    expect(after.find((g) => g.query === '比特币怎么买')!.addedTo).toEqual({ answerId: a!.id, title: '数字资产说明', status: 'in_review' });
    expect(after.find((g) => g.variants.some((v) => v.query === '怎么开通外汇业务'))!.addedTo).toBeNull();
  });

  it('leaves quiet periods empty rather than failing', async () => {
    const p = resolvePeriod({ from: '2025-01-01', to: '2025-01-03' }, NOW);
    const o = await analyticsOverview(database.db, p, THRESHOLD);
    expect(o.totals.searches).toBe(0);
    expect(o.totals.handoffRate).toBeNull();
    expect(o.totals.p95LatencyMs).toBeNull();
    expect(await gapList(database.db, p, THRESHOLD)).toEqual([]);
    await database.db.execute(sql`select 1`);
  });
});
