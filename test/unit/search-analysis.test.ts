import { describe, expect, it } from 'vitest';
import { fuseConvex, fuseRrf, keywordWeights, type CandidateSignals } from '../../src/search/fusion.ts';
import { normaliseText } from '../../src/search/normalise.ts';
import { analyse, segment } from '../../src/search/segment.ts';
import { highlightPattern, makeSnippet } from '../../src/search/snippet.ts';
import { expandWithSynonyms, SYNONYM_WEIGHT } from '../../src/search/synonyms.ts';
import { calibration, confidence } from '../../src/search/calibration.ts';

const terms = (s: string) => analyse(normaliseText(s));

describe('normalisation', () => {
  it('maps Traditional to Simplified so 信用卡掛失 and 信用卡挂失 analyse alike', () => {
    expect(normaliseText('信用卡掛失')).toBe('信用卡挂失');
    expect(terms('信用卡掛失')).toEqual(terms('信用卡挂失'));
    expect(normaliseText('網路銀行')).toBe('网络银行');
  });
  it('folds full-width forms, case, invisible characters and white space', () => {
    expect(normaliseText('ＡＴＭ　取款１００元')).toBe('atm 取款100元');
    expect(normaliseText('  Top\u200b-Up\t\n Card ')).toBe('top-up card');
  });
});

describe('segmentation', () => {
  it('keeps bank words from the user dictionary whole', () => {
    expect(segment(normaliseText('手机银行转账限额是多少'))).toEqual(expect.arrayContaining(['手机银行', '转账', '限额']));
    expect(segment(normaliseText('U盾丢了'))).toContain('u盾');
  });
  it('indexes search-mode pieces too, so 信用卡 also matches 信用', () => {
    expect(terms('信用卡挂失')).toEqual(expect.arrayContaining(['信用卡', '信用', '挂失']));
  });
  it('stems English lightly and drops stop words', () => {
    expect(terms('My cards were activated')).toEqual(['card', 'activ']);
    expect(terms('activating the card')).toEqual(['activ', 'card']);
    expect(terms('the a of')).toEqual([]);
  });
  it('handles mixed Chinese and English text', () => {
    expect(terms('ATM机吞卡了怎么办 card stuck')).toEqual(expect.arrayContaining(['atm', '吞卡', 'card', 'stuck']));
  });
  it('yields nothing (and does not throw) for punctuation, emoji and tsquery/SQL specials', () => {
    expect(terms('-'.repeat(33))).toEqual([]);
    expect(terms('😀🙏🏦')).toEqual([]);
    expect(terms("!&|:*()<->")).toEqual([]);
    expect(terms("'; drop table answers; --")).toEqual(['drop', 'tabl', 'answer']);
  });
});

describe('synonyms at query time', () => {
  const groups = [[['挂失'], ['丢失'], ['丢'], ['遗失']], [['transfer'], ['send', 'monei'], ['move', 'monei']]];
  it('adds the other phrases of a group at reduced weight', () => {
    const expanded = expandWithSynonyms(terms('银行卡遗失'), groups);
    expect(expanded).toEqual(expect.arrayContaining([{ term: '遗失', weight: 1 }, { term: '挂失', weight: SYNONYM_WEIGHT }, { term: '丢失', weight: SYNONYM_WEIGHT }]));
  });
  it('matches multi-word phrases only as a sequence', () => {
    expect(expandWithSynonyms(terms('send money abroad'), groups).map((t) => t.term)).toContain('transfer');
    expect(expandWithSynonyms(terms('money send'), groups).map((t) => t.term)).not.toContain('transfer');
  });
  it('leaves queries without synonyms alone', () => {
    expect(expandWithSynonyms(['年费'], groups)).toEqual([{ term: '年费', weight: 1 }]);
  });
});

describe('fusion', () => {
  const c = (id: string, bm25: number, trigram: number, vector?: number): CandidateSignals => ({ versionId: id, answerId: id, bm25, coverage: 1, trigram, trigramBest: trigram, vector });
  it('normalises BM25 by the best hit and mixes in trigram similarity convexly', () => {
    const fused = fuseConvex([c('a', 10, 0.2), c('b', 5, 0.9)], keywordWeights);
    const { keyword: k, trigram: t } = keywordWeights;
    expect(k + t).toBeCloseTo(1, 10);
    expect(fused[0]).toBeCloseTo(k * 1 + t * 0.2, 10);
    expect(fused[1]).toBeCloseTo(k * 0.5 + t * 0.9, 10);
  });
  it('uses the vector leg only with vector weight (hybrid)', () => {
    const w = { keyword: 0.5, trigram: 0, vector: 0.5 };
    const fused = fuseConvex([c('a', 1, 0, 0.9), c('b', 1, 0, -0.3)], w);
    expect(fused[0]).toBeCloseTo(0.95, 10);
    expect(fused[1]).toBeCloseTo(0.5, 10);
  });
  it('RRF gives 1 to a candidate every leg ranks first', () => {
    const fused = fuseRrf([c('a', 10, 0.9), c('b', 5, 0.1)], keywordWeights);
    expect(fused[0]).toBeCloseTo(1, 10);
    expect(fused[1]).toBeLessThan(fused[0]!);
  });
});

describe('calibrated confidence', () => {
  it('rises with evidence and stays within 0..1', () => {
    const weak = confidence({ fused: 0.1, margin: 0, coverage: 0.2, bm25Rel: 0.05, trigramBest: 0.1, vector: 0 }, calibration.keyword);
    const strong = confidence({ fused: 0.95, margin: 0.4, coverage: 1, bm25Rel: 0.8, trigramBest: 0.9, vector: 0 }, calibration.keyword);
    expect(weak).toBeGreaterThan(0);
    expect(strong).toBeLessThan(1);
    expect(strong).toBeGreaterThan(0.8);
    expect(weak).toBeLessThan(0.2);
  });
});

describe('snippets', () => {
  it('highlights matched words, escapes HTML and centres on the matches', () => {
    const text = `${'开头的文字。'.repeat(40)}信用卡挂失请拨打客服热线 <b>400</b>。`;
    const snippet = makeSnippet(text, highlightPattern('信用卡掛失'));
    expect(snippet).toContain('<mark>信用卡</mark><mark>挂失</mark>');
    expect(snippet).toContain('&lt;b&gt;400&lt;/b&gt;');
    expect(snippet.startsWith('…')).toBe(true);
  });
  it('highlights English words by stem', () => {
    expect(makeSnippet('Activate your new card in the app.', highlightPattern('activating cards'))).toBe('<mark>Activate</mark> your new <mark>card</mark> in the app.');
  });
});
