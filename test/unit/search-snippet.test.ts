import { describe, expect, it } from 'vitest';
import { densestWindowStart, highlightPattern, makeSnippet, MAX_SCAN_CHARS } from '../../src/search/snippet.ts';

/** The window choice as it was (quadratic: every match against every other), the oracle for small texts. */
function quadraticWindowStart(flat: string, pattern: RegExp, max: number): number {
  const matches = [...flat.matchAll(pattern)].filter((m) => m[0].length > 0);
  let start = 0;
  let bestCount = 0;
  for (const m of matches) {
    const from = Math.max(0, m.index - 20);
    const count = matches.filter((x) => x.index >= from && x.index + x[0].length <= from + max).length;
    if (count > bestCount) {
      bestCount = count;
      start = from;
    }
  }
  return start;
}

function rng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const plain = (snippet: string) => snippet.replace(/<\/?mark>/g, '');

describe('snippet window', () => {
  it('picks the same window as the old all-pairs search on random texts', () => {
    const rand = rng(42);
    const words = ['信用卡', '挂失', '补卡', '手机银行', '的', '您可以', '。', ' ', 'card', 'lost', 'replacement', 'fee', '转账'];
    const pattern = highlightPattern('信用卡挂失 lost card fee')!;
    for (let n = 0; n < 300; n++) {
      const len = 1 + Math.floor(rand() * 200);
      const flat = Array.from({ length: len }, () => words[Math.floor(rand() * words.length)]).join('');
      const spans = [...flat.matchAll(pattern)].filter((m) => m[0].length > 0);
      const max = 20 + Math.floor(rand() * 160);
      const linear = densestWindowStart(
        spans.map((m) => m.index),
        spans.map((m) => m.index + m[0].length),
        max,
      );
      expect(linear).toBe(quadraticWindowStart(flat, pattern, max));
    }
  });
});

describe('snippets of a 40,000-character published body', () => {
  // A long terms-and-conditions page: dense with the query's words everywhere, and one passage that
  // holds all of them close together far into the text.
  const filler = '本行信用卡章程第十条：持卡人应妥善保管卡片，卡片遗失应及时办理，费用按本行公告执行。';
  const passage = '信用卡丢失怎么挂失：请立即拨打客服热线办理信用卡挂失，挂失后可申请补卡，补卡免收挂失手续费。';
  let body = '';
  while (body.length < 20_000) body += filler;
  body += passage;
  while (body.length < 40_000) body += filler;

  it('excerpts the passage where the query words cluster, with them marked', () => {
    const snippet = makeSnippet(body, highlightPattern('信用卡丢了怎么挂失补卡'));
    expect(plain(snippet)).toContain('请立即拨打客服热线办理信用卡挂失');
    expect(snippet).toContain('<mark>挂失</mark>');
    expect(snippet).toContain('<mark>补卡</mark>');
    expect(snippet.startsWith('…')).toBe(true);
    expect(snippet.endsWith('…')).toBe(true);
  });

  it('stays a short excerpt when nearly every character matches', () => {
    const dense = '卡'.repeat(40_000);
    const snippet = makeSnippet(dense, highlightPattern('卡'));
    expect(plain(snippet)).toBe(`${'卡'.repeat(160)}…`);
    expect(snippet.match(/<mark>/g)).toHaveLength(160);
  });

  it('reads a body longer than the scan bound from its start and says it goes on', () => {
    const huge = `${'账户余额查询。'.repeat(MAX_SCAN_CHARS / 7)}转账限额说明`;
    const snippet = makeSnippet(huge, highlightPattern('余额'));
    expect(snippet).toContain('<mark>余额</mark>');
    expect(snippet.endsWith('…')).toBe(true);
    expect(plain(snippet).length).toBeLessThanOrEqual(162);
  });

  it('falls back to the start of the text when nothing matches, and escapes HTML', () => {
    expect(makeSnippet(`<b>a & b</b> ${'x'.repeat(300)}`, highlightPattern('信用卡'))).toMatch(/^&lt;b&gt;a &amp; b&lt;\/b&gt; x+…$/);
  });
});
