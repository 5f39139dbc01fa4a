import { addMessages, init, locale } from 'svelte-i18n';
import en from './en.json';
import zhCN from './zh-CN.json';
// Issue 7's pages keep their strings in their own catalogs (deep-merged into the same dictionaries).
import analyticsEn from './analytics.en.json';
import analyticsZhCN from './analytics.zh-CN.json';
import assistEn from './assist.en.json';
import assistZhCN from './assist.zh-CN.json';

export const LOCALES = [
  { code: 'zh-CN', label: '中文' },
  { code: 'en', label: 'English' },
] as const;
export type LocaleCode = (typeof LOCALES)[number]['code'];

const STORAGE_KEY = 'zhida.locale';

addMessages('zh-CN', zhCN);
addMessages('en', en);
addMessages('zh-CN', assistZhCN, analyticsZhCN);
addMessages('en', assistEn, analyticsEn);

function savedLocale(): LocaleCode {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  return saved === 'en' ? 'en' : 'zh-CN';
}

// Chinese first: the staff this is built for read zh-CN; English is a switch, remembered per browser.
init({ fallbackLocale: 'zh-CN', initialLocale: savedLocale() });

export function setLocale(code: LocaleCode) {
  locale.set(code);
  if (typeof localStorage !== 'undefined') localStorage.setItem(STORAGE_KEY, code);
  if (typeof document !== 'undefined') document.documentElement.lang = code;
}

export function normaliseLocale(code: string | null | undefined): LocaleCode | null {
  if (!code) return null;
  return code.toLowerCase().startsWith('en') ? 'en' : code.toLowerCase().startsWith('zh') ? 'zh-CN' : null;
}

export { _, locale } from 'svelte-i18n';
