import { describe, expect, it } from 'vitest';
import { asksForHuman, decideTurn, MAX_UNSURE_TURNS, UNSURE_BAND } from '../../src/search/handoff.ts';

describe('hand-off rules', () => {
  it('recognises requests for a person in Chinese and English', () => {
    for (const q of ['转人工', '我要人工客服', '帮我找客服', '轉人工', 'I want to talk to a human', 'agent please', 'can I speak to a representative']) expect(asksForHuman(q), q).toBe(true);
    for (const q of ['信用卡丢了', 'humanitarian donations', 'agentic ai', '客服热线是多少']) expect(asksForHuman(q), q).toBe(false);
  });

  it('hands off below the threshold, with no result, and on request', () => {
    expect(decideTurn({ query: '信用卡挂失', topConfidence: 0.9, threshold: 0.3, unsureTurnsBefore: 0 })).toEqual({ answer: true, handoff: false, reason: null, unsureTurns: 0 });
    expect(decideTurn({ query: '天气', topConfidence: 0.29, threshold: 0.3, unsureTurnsBefore: 0 })).toMatchObject({ answer: false, handoff: true, reason: 'low_confidence' });
    expect(decideTurn({ query: '😀', topConfidence: null, threshold: 0.3, unsureTurnsBefore: 0 })).toMatchObject({ answer: false, handoff: true, reason: 'no_answer' });
    expect(decideTurn({ query: '转人工', topConfidence: 0.99, threshold: 0.3, unsureTurnsBefore: 0 })).toMatchObject({ answer: false, handoff: true, reason: 'customer_request' });
  });

  it('moves with a configured threshold', () => {
    expect(decideTurn({ query: 'x', topConfidence: 0.5, threshold: 0.6, unsureTurnsBefore: 0 }).handoff).toBe(true);
    expect(decideTurn({ query: 'x', topConfidence: 0.5, threshold: 0.2, unsureTurnsBefore: 0 }).handoff).toBe(false);
  });

  it(`hands off after ${MAX_UNSURE_TURNS} unsure turns in a row; a confident turn resets the count`, () => {
    const unsure = 0.3 + UNSURE_BAND / 2;
    let turns = 0;
    for (let i = 1; i < MAX_UNSURE_TURNS; i++) {
      const d = decideTurn({ query: 'x', topConfidence: unsure, threshold: 0.3, unsureTurnsBefore: turns });
      expect(d).toMatchObject({ answer: true, handoff: false, unsureTurns: i });
      turns = d.unsureTurns;
    }
    expect(decideTurn({ query: 'x', topConfidence: 0.95, threshold: 0.3, unsureTurnsBefore: turns }).unsureTurns).toBe(0);
    expect(decideTurn({ query: 'x', topConfidence: unsure, threshold: 0.3, unsureTurnsBefore: turns })).toMatchObject({ answer: true, handoff: true, reason: 'repeated_unsure' });
  });
});
