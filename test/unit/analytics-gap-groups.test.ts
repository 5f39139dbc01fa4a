import { describe, expect, it } from 'vitest';
import { groupGapQueries, type GapQuery } from '../../src/analytics/gap-groups.ts';
import { queryShape, querySimilarity } from '../../src/analytics/query-similarity.ts';

const q = (query: string, count: number, extra: Partial<GapQuery> = {}): GapQuery => ({
  query, count, zeroResults: count, lowConfidence: 0, lastSeenAt: '2026-11-20T10:00:00.000Z', topAnswerId: null, ...extra,
});
const sim = (a: string, b: string) => querySimilarity(queryShape(a), queryShape(b));

describe('query similarity', () => {
  it('treats the same question in other words, scripts and widths as alike', () => {
    expect(sim('信用卡丢了怎么办', '信用卡丢失怎么办')).toBeGreaterThanOrEqual(0.5);
    expect(sim('怎么开通外汇业务', '外汇业务怎么开通')).toBe(1);
    expect(sim('房贷利率多少', '房貸利率是多少')).toBe(1); // Traditional + stop word
    expect(sim('ＢＩＴＣＯＩＮ price', 'bitcoin price')).toBe(1); // full width
    expect(sim('how do I open a crypto account', 'open crypto account')).toBeGreaterThanOrEqual(0.5);
  });

  it('keeps different needs apart even when they share a product word or a question word', () => {
    expect(sim('信用卡年费多少', '信用卡挂失')).toBeLessThan(0.5);
    expect(sim('how to buy bitcoin', 'how to buy a house')).toBeLessThan(0.5);
    expect(sim('比特币怎么买', '房贷利率多少')).toBe(0);
  });
});

describe('gap grouping', () => {
  it('groups similar wordings under the most asked one and sums their counts', () => {
    const groups = groupGapQueries([
      q('外汇业务怎么开通', 2),
      q('怎么开通外汇业务', 5),
      q('比特币怎么买', 3),
      q('购买比特币', 1, { zeroResults: 0, lowConfidence: 1, topAnswerId: 'a1', lastSeenAt: '2026-11-25T00:00:00.000Z' }),
      q('信用卡年费多少', 1),
    ]);
    expect(groups.map((g) => g.query)).toEqual(['怎么开通外汇业务', '比特币怎么买', '信用卡年费多少']);
    const [fx, btc] = groups;
    expect(fx!.count).toBe(7);
    expect(fx!.variants).toEqual([{ query: '怎么开通外汇业务', count: 5 }, { query: '外汇业务怎么开通', count: 2 }]);
    expect(btc!.count).toBe(4);
    expect(btc!.zeroResults).toBe(3);
    expect(btc!.lowConfidence).toBe(1);
    expect(btc!.lastSeenAt).toBe('2026-11-25T00:00:00.000Z');
    expect(btc!.candidateAnswerId).toBe('a1');
  });

  it('does not depend on the order of the log', () => {
    const items = [q('怎么开通外汇业务', 5), q('外汇业务怎么开通', 2), q('比特币怎么买', 3), q('购买比特币', 1)];
    const a = groupGapQueries(items);
    const b = groupGapQueries([...items].reverse());
    expect(b).toEqual(a);
  });

  it('returns nothing for no gaps', () => {
    expect(groupGapQueries([])).toEqual([]);
  });
});
