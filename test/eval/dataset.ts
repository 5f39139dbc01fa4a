import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface EvalQuery {
  id: string;
  query: string;
  /** Expected externalIds; empty = out of scope (the bot should hand off). */
  expected: string[];
}

export interface Dataset {
  name: string;
  answers: Record<string, unknown>[];
  queries: EvalQuery[];
}

const jsonl = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l));

/** A dataset folder in the shared layout: answers.jsonl (import format) + queries.jsonl. */
export function loadDataset(dir: string): Dataset {
  return { name: path.basename(path.resolve(dir)), answers: jsonl(path.join(dir, 'answers.jsonl')), queries: jsonl(path.join(dir, 'queries.jsonl')) };
}
