import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { errorCodes } from '../../src/errors.ts';

// The app's message catalogs (app/src/lib/i18n/*.json): every locale has every key, and every error
// code the server can send has words in every locale. Plain JSON, no browser: part of the fast tier.
const dir = new URL('../../app/src/lib/i18n/', import.meta.url);
const catalogFiles = readdirSync(dir).filter((f) => f.endsWith('.json'));
const load = (file: string) => JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as Record<string, unknown>;
const keys = (o: Record<string, unknown>, prefix = ''): string[] =>
  Object.entries(o).flatMap(([k, v]) => (v && typeof v === 'object' ? keys(v as Record<string, unknown>, `${prefix}${k}.`) : [`${prefix}${k}`]));

/** "analytics.en.json" -> { part: "analytics", locale: "en" }; "zh-CN.json" -> { part: "", locale: "zh-CN" }. */
function parse(file: string) {
  const m = /^(?:(.+)\.)?(en|zh-CN)\.json$/.exec(file);
  if (!m) throw new Error(`${file}: not <part>.<locale>.json or <locale>.json`);
  return { part: m[1] ?? '', locale: m[2]! };
}
const parts = [...new Set(catalogFiles.map((f) => parse(f).part))];
const locales = ['zh-CN', 'en'];
const fileOf = (part: string, locale: string) => (part ? `${part}.${locale}.json` : `${locale}.json`);

describe('i18n catalogs', () => {
  it('finds every catalog (main, analytics, assist) in both locales', () => {
    expect(parts.sort()).toEqual(['', 'analytics', 'assist']);
    expect(catalogFiles.sort()).toEqual(parts.flatMap((p) => locales.map((l) => fileOf(p, l))).sort());
  });

  for (const part of ['', 'analytics', 'assist']) {
    it(`${part || 'main'}: English has exactly the zh-CN keys, none empty`, () => {
      const zh = load(fileOf(part, 'zh-CN'));
      const en = load(fileOf(part, 'en'));
      expect(keys(en).sort()).toEqual(keys(zh).sort());
      for (const catalog of [zh, en]) {
        const empty = keys(catalog).filter((k) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown>)[p], catalog) === '');
        expect(empty).toEqual([]);
      }
    });
  }

  it('explains every error code of src/errors.ts in every locale (errors.<code>)', () => {
    for (const locale of locales) {
      const errors = load(fileOf('', locale)).errors as Record<string, string>;
      const missing = errorCodes.filter((code) => typeof errors[code] !== 'string');
      expect(missing, `${locale}.json lacks errors.<code> for`).toEqual([]);
    }
  });
});
