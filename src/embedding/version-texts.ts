import type { EmbeddingKind } from '../db/schema/index.ts';
import { chunkText } from './chunk.ts';
import type { ModelSpec } from './registry.ts';

export interface VersionContentForEmbedding {
  title: string;
  similarQuestions: string[];
  bodyText: string;
}

export interface TextToEmbed {
  kind: EmbeddingKind;
  ordinal: number;
  /** What is stored and shown (matched question, snippet). */
  text: string;
  /** What the model sees: the text with the model's prefix. */
  input: string;
}

const clean = (s: string) => s.normalize('NFKC').replace(/\s+/g, ' ').trim();

/**
 * What is embedded for one published version: the title, each similar question (both with the
 * model's question prefix: a customer's query is matched question-to-question) and the body in
 * chunks that fit the model's token limit (passage prefix). Duplicates are embedded once.
 */
export function textsForVersion(version: VersionContentForEmbedding, spec: ModelSpec, countTokens: (s: string) => number): TextToEmbed[] {
  const out: TextToEmbed[] = [];
  const seen = new Set<string>();
  const title = clean(version.title);
  if (title) {
    seen.add(title);
    out.push({ kind: 'title', ordinal: 0, text: title, input: spec.questionPrefix + title });
  }
  let q = 0;
  for (const raw of version.similarQuestions) {
    const question = clean(raw);
    if (!question || seen.has(question)) continue;
    seen.add(question);
    out.push({ kind: 'question', ordinal: q++, text: question, input: spec.questionPrefix + question });
  }
  const chunks = chunkText(version.bodyText.normalize('NFKC'), spec.maxTokens, (s) => countTokens(spec.passagePrefix + s));
  chunks.forEach((chunk, i) => out.push({ kind: 'chunk', ordinal: i, text: chunk, input: spec.passagePrefix + chunk }));
  return out;
}
