/**
 * Splits an answer body into chunks that fit the model's token budget, CJK-aware: Chinese has no
 * spaces, so sentences end at 。！？；… (and . ! ? ; followed by space for English); paragraphs are
 * kept together when they fit, sentences are never cut unless one alone is over budget (then it
 * is cut at a clause mark ，、, or a space, and as a last resort by characters).
 */
export function chunkText(text: string, maxTokens: number, countTokens: (s: string) => number): string[] {
  const budget = Math.max(8, maxTokens);
  const paragraphs = text
    .split(/\n\s*\n|\r?\n/)
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  const chunks: string[] = [];
  let current = '';
  const flush = () => {
    if (current) chunks.push(current);
    current = '';
  };
  const fits = (s: string) => countTokens(s) <= budget;
  for (const paragraph of paragraphs) {
    // A whole paragraph that fits next to what we have stays with it.
    const joined = current ? `${current}\n${paragraph}` : paragraph;
    if (fits(joined)) {
      current = joined;
      continue;
    }
    flush();
    if (fits(paragraph)) {
      current = paragraph;
      continue;
    }
    for (const piece of splitToFit(paragraph, fits)) {
      const next = current ? `${current}${joinerFor(current, piece)}${piece}` : piece;
      if (fits(next)) current = next;
      else {
        flush();
        current = piece;
      }
    }
  }
  flush();
  return chunks;
}

const SENTENCE_END = /(?<=[。！？；!?;…])(?![”’"'）)])|(?<=[.!?;][”’"')）]?)\s+/u;
const CLAUSE_END = /(?<=[，、,：:])|\s+/u;

/** Sentences of `paragraph`, each cut further until it fits. */
function splitToFit(paragraph: string, fits: (s: string) => boolean): string[] {
  const out: string[] = [];
  for (const sentence of paragraph.split(SENTENCE_END).map((s) => s.trim()).filter(Boolean)) {
    if (fits(sentence)) {
      out.push(sentence);
      continue;
    }
    for (const clause of sentence.split(CLAUSE_END).filter(Boolean)) {
      if (fits(clause)) out.push(clause);
      else out.push(...splitByCharacters(clause, fits));
    }
  }
  return out;
}

function splitByCharacters(text: string, fits: (s: string) => boolean): string[] {
  const chars = [...text];
  const out: string[] = [];
  let start = 0;
  while (start < chars.length) {
    // Binary search the longest prefix that fits (tokenizers are monotone enough for this).
    let lo = start + 1;
    let hi = chars.length;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (fits(chars.slice(start, mid).join(''))) lo = mid;
      else hi = mid - 1;
    }
    out.push(chars.slice(start, lo).join(''));
    start = lo;
  }
  return out;
}

/** No space between Chinese pieces, one space between Latin ones. */
function joinerFor(left: string, right: string): string {
  const cjk = /[\u3000-\u9fff\uff00-\uffef]/u;
  return cjk.test(left.at(-1) ?? '') || cjk.test(right[0] ?? '') ? '' : ' ';
}

/**
 * A rough token count for when no tokenizer is at hand: one per CJK character, about 1.3 per
 * Latin word, plus two special tokens.
 */
export function estimateTokens(text: string): number {
  const cjk = text.match(/[\u3400-\u9fff\uf900-\ufaff]/gu)?.length ?? 0;
  const words = text.replace(/[\u3400-\u9fff\uf900-\ufaff]/gu, ' ').match(/[\p{L}\p{N}]+|[^\s\p{L}\p{N}]/gu)?.length ?? 0;
  return cjk + Math.ceil(words * 1.3) + 2;
}
