import * as OpenCC from 'opencc-js';

// Traditional (Taiwan, with phrases) -> Simplified, so 信用卡掛失 and 信用卡挂失 index alike.
const toSimplified = OpenCC.Converter({ from: 'twp', to: 'cn' });

// Zero-width and formatting characters that copy-paste from chat apps leaves inside words.
const INVISIBLE = /[\u200b-\u200f\u2060-\u2064\ufeff\u00ad]/g;

/**
 * The one normalisation for content and queries: NFKC (full-width -> half-width, compatibility
 * forms), Traditional -> Simplified, lower case, invisible characters removed, collapsed white space.
 */
export function normaliseText(text: string): string {
  return toSimplified(text.normalize('NFKC').replace(INVISIBLE, '')).toLowerCase().replace(/\s+/g, ' ').trim();
}
