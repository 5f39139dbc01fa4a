import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';
import { stemmer } from 'stemmer';
import { bankDictionary } from './bank-dictionary.ts';
import { isStopWord } from './stop-words.ts';

const jieba = Jieba.withDict(dict);
jieba.loadDict(bankDictionary());

const WORD = /[\p{L}\p{N}]/u;
const HAN = /\p{Script=Han}/u;
// Latin words keep inner apostrophes ("don't") so they stay one token.
const LATIN_RUN = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/**
 * Splits normalised text into surface words, in order: jieba decides the Chinese words (and mixed
 * ones from the bank dictionary such as u盾, ic卡); runs without Chinese are split into Latin words
 * and numbers. Punctuation is dropped. Used for highlighting and as the base of `analyse`.
 */
export function segment(normalised: string): string[] {
  const out: string[] = [];
  let latin = '';
  const flush = () => {
    for (const w of latin.match(LATIN_RUN) ?? []) out.push(w);
    latin = '';
  };
  for (const t of jieba.cut(normalised, true)) {
    if (HAN.test(t)) {
      flush();
      if (WORD.test(t)) out.push(t);
    } else {
      latin += t;
    }
  }
  flush();
  return out;
}

/** English light stemming (Porter): "cards"/"card", "activated"/"activating"/"activate" meet. */
export function stemWord(word: string): string {
  if (HAN.test(word) || /\d/.test(word)) return word;
  const plain = word.replace(/['’]s$/, '').replace(/['’]/g, '');
  return plain.length <= 3 ? plain : stemmer(plain);
}

/**
 * Index terms of normalised text, the same for content and queries: Chinese words plus their
 * search-mode pieces (信用卡 also yields 信用, so a query for either matches), Latin words stemmed,
 * stop words removed.
 */
export function analyse(normalised: string): string[] {
  const out: string[] = [];
  for (const w of segment(normalised)) {
    if (HAN.test(w)) {
      const pieces = jieba.cutForSearch(w, true);
      for (const t of pieces.length ? pieces : [w]) if (WORD.test(t) && !isStopWord(t)) out.push(t);
    } else {
      if (isStopWord(w) || isStopWord(w.replace(/['’]/g, ''))) continue;
      const s = stemWord(w);
      if (s && !isStopWord(s)) out.push(s);
    }
  }
  return out;
}
