import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

const jieba = Jieba.withDict(dict);

const WORD = /[\p{L}\p{N}]/u;

/** Splits normalised text into terms: jieba for Chinese, words for Latin script; drops punctuation. */
export function segment(normalised: string): string[] {
  return jieba.cut(normalised, true).map((t) => t.trim()).filter((t) => t.length > 0 && WORD.test(t));
}
