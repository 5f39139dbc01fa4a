import * as OpenCC from 'opencc-js';

// Traditional (Taiwan, with phrases) -> Simplified, so 信用卡掛失 and 信用卡挂失 index alike.
const toSimplified = OpenCC.Converter({ from: 'twp', to: 'cn' });

/**
 * The one normalisation for content and queries: NFKC (full-width -> half-width, compatibility
 * forms), Traditional -> Simplified, lower case, collapsed white space.
 */
export function normaliseText(text: string): string {
  return toSimplified(text.normalize('NFKC')).toLowerCase().replace(/\s+/g, ' ').trim();
}
