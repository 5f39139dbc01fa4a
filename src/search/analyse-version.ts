import { normaliseText } from './normalise.ts';
import { analyse } from './segment.ts';

export interface VersionTexts {
  title: string;
  similarQuestions: string[];
  bodyText: string;
}

export interface AnalysedVersion {
  /** term -> frequency, per field (0 title, 1 similar questions, 2 body). */
  fields: [Map<string, number>, Map<string, number>, Map<string, number>];
  lengths: [number, number, number];
  /** Normalised title (ord 0) and similar questions (ord 1..) for the trigram signal. */
  phrases: string[];
}

function frequencies(terms: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of terms) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

/** What the keyword index stores for one version: the same analysis the query goes through. */
export function analyseVersion(v: VersionTexts): AnalysedVersion {
  const title = analyse(normaliseText(v.title));
  const questions = v.similarQuestions.flatMap((q) => analyse(normaliseText(q)));
  const body = analyse(normaliseText(v.bodyText));
  return {
    fields: [frequencies(title), frequencies(questions), frequencies(body)],
    lengths: [title.length, questions.length, body.length],
    phrases: [v.title, ...v.similarQuestions].map(normaliseText).filter((p) => p.length > 0),
  };
}
