import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { luhnValid, maskPersonalData, residentIdValid } from '../../src/privacy/mask.ts';

/** A Luhn-valid card number of `length` digits starting with `prefix`. */
function withLuhn(body: string): string {
  for (let d = 0; d <= 9; d++) if (luhnValid(body + d)) return body + d;
  throw new Error('unreachable');
}
/** A resident ID number with a correct check character. */
function withIdCheck(body17: string): string {
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body17].reduce((s, c, i) => s + Number(c) * weights[i]!, 0);
  return body17 + '10X98765432'[sum % 11]!;
}

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const card = fc.tuple(fc.constantFrom('4', '5', '62', '35'), fc.integer({ min: 13, max: 19 })).chain(([prefix, length]) =>
  digits(length - prefix.length - 1, length - prefix.length - 1).map((mid) => withLuhn(prefix + mid)),
);
const residentId = fc
  .tuple(digits(6, 6), fc.date({ min: new Date('1930-01-01'), max: new Date('2020-12-31'), noInvalidDate: true }), digits(3, 3))
  .map(([region, born, seq]) => withIdCheck(`${region}${born.toISOString().slice(0, 10).replace(/-/g, '')}${seq}`));
const mobile = fc.tuple(fc.constantFrom('13', '15', '17', '18', '19'), digits(9, 9)).map(([p, rest]) => p + rest);
const email = fc.tuple(fc.stringMatching(/^[a-z][a-z0-9._]{0,10}$/), fc.stringMatching(/^[a-z]{2,8}$/), fc.constantFrom('com', 'cn', 'com.cn')).map(([l, d, t]) => `${l}@${d}.${t}`);
/** Customer-ish text around a value: Chinese, punctuation, short numbers — never digits touching it. */
const filler = fc.stringMatching(/^[我的卡号是请问手机丢了谢谢，。:：() a-zA-Z]{0,12}$/);
/** Digits of a value as typed: plain, in groups of 4 with spaces or dashes, or full-width. */
const typed = (value: string) =>
  fc.constantFrom('plain', 'spaces', 'dashes', 'fullwidth').map((how) => {
    if (how === 'plain') return value;
    if (how === 'fullwidth') return value.replace(/\d/g, (d) => String.fromCharCode(d.charCodeAt(0) + 0xfee0));
    return value.replace(/(.{4})(?=.)/g, `$1${how === 'spaces' ? ' ' : '-'}`);
  });
const asciiDigitsOf = (s: string) => s.replace(/[０-９]/g, (d) => String.fromCharCode(d.charCodeAt(0) - 0xfee0)).replace(/\D/g, '');

describe('maskPersonalData (property tests)', () => {
  it('masks any Luhn-valid card number however it is typed, keeping first 4 and last 4', () => {
    fc.assert(
      fc.property(card.chain((c) => fc.tuple(fc.constant(c), typed(c), filler, filler)), ([c, shown, before, after]) => {
        const masked = maskPersonalData(`${before}${shown}${after}`);
        expect(asciiDigitsOf(masked)).not.toContain(c);
        expect(masked).not.toContain(c.slice(4, -4));
        // An 18-digit card that also passes the ID checksum is masked as an ID (last 4 only): as safe.
        const asCard = `${c.slice(0, 4)}${'*'.repeat(c.length - 8)}${c.slice(-4)}`;
        const asId = `${'*'.repeat(14)}${c.slice(-4)}`;
        expect(masked.includes(asCard) || (c.length === 18 && masked.includes(asId)), masked).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('masks any valid resident ID number, keeping the last 4', () => {
    fc.assert(
      fc.property(residentId.chain((id) => fc.tuple(fc.constant(id), filler, filler)), ([id, before, after]) => {
        expect(residentIdValid(id)).toBe(true);
        const masked = maskPersonalData(`${before}${id}${after}`);
        expect(masked).not.toContain(id.slice(0, 14));
        expect(masked).toContain(`${'*'.repeat(14)}${id.slice(-4)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('masks mainland mobile numbers (with or without +86 and separators) as 138****5678', () => {
    fc.assert(
      fc.property(mobile.chain((m) => fc.tuple(fc.constant(m), fc.constantFrom('', '+86 ', '+86', '86-'), fc.constantFrom('plain', 'spaced'), filler)), ([m, prefix, how, before]) => {
        const shown = how === 'plain' ? m : `${m.slice(0, 3)} ${m.slice(3, 7)} ${m.slice(7)}`;
        const masked = maskPersonalData(`${before}${prefix}${shown}。`);
        expect(masked).not.toContain(m.slice(3, 7) + m.slice(7));
        expect(masked).toContain(`${m.slice(0, 3)}****${m.slice(-4)}`);
      }),
      { numRuns: 300 },
    );
  });

  it('masks e-mail addresses down to their first character and domain', () => {
    fc.assert(
      fc.property(email, filler, (e, before) => {
        const masked = maskPersonalData(`${before} ${e} 谢谢`);
        expect(masked).toContain(`${e[0]}***${e.slice(e.indexOf('@'))}`);
        if (e.indexOf('@') > 1) expect(masked).not.toContain(e);
      }),
    );
  });

  it('is idempotent and never touches text without personal numbers', () => {
    const anyValue = fc.oneof(card, residentId, mobile, email, digits(0, 24));
    fc.assert(
      fc.property(fc.array(fc.oneof(anyValue, filler), { maxLength: 6 }), (parts) => {
        const text = parts.join(' ');
        const once = maskPersonalData(text);
        expect(maskPersonalData(once)).toBe(once);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[^0-9０-９@]*$/), (text) => {
        expect(maskPersonalData(text)).toBe(text);
      }),
    );
  });

  it('leaves short numbers, amounts, dates and hotlines alone', () => {
    for (const text of ['转账限额5万元', '2026-12-01 到期', '客服热线 400-820-8888', '95588', '年利率 1.75%', '座机 010-12345678', '验证码 123456']) {
      expect(maskPersonalData(text)).toBe(text);
    }
  });

  it('masks the examples a reviewer would try', () => {
    expect(maskPersonalData('我的卡号是 6222 0212 3456 7890 128，丢了')).toBe(`我的卡号是 6222${'*'.repeat(11)}0128，丢了`);
    expect(maskPersonalData('身份证11010519491231002X')).toBe('身份证**************002X');
    expect(maskPersonalData('手机13812345678')).toBe('手机138****5678');
    expect(maskPersonalData('账号 621700123456789012345')).toBe('账号 *****************2345');
    expect(maskPersonalData('mail zhang.san@bank.com.cn')).toBe('mail z***@bank.com.cn');
  });
});
