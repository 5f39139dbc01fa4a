import { diffChars, diffWordsWithSpace } from 'diff';
import type { DiffOp } from './api/types';

const HAN = /[\u3400-\u9fff]/;

/**
 * Client-side diff in the server's op shape (used where no diff endpoint applies, e.g. my unsaved
 * text against the server's in a conflict): character level when Chinese is present, else words.
 */
export function diffText(before: string, after: string): DiffOp[] {
  const changes = HAN.test(before + after) ? diffChars(before, after) : diffWordsWithSpace(before, after);
  return changes.map((c) => ({ op: c.added ? 'insert' : c.removed ? 'delete' : 'equal', text: c.value }));
}
