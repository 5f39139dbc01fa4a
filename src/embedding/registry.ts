import type { Config } from '../config.ts';

export type Pooling = 'cls' | 'mean';

/** Everything the pipeline needs to know about an embedding model, beyond its files. */
export interface ModelSpec {
  id: string;
  /** Output size. Checked against the loaded model; `undefined` = take it from the model itself. */
  dims?: number;
  pooling: Pooling;
  normalize: boolean;
  /** Token budget per text, special tokens included; body chunks are cut to fit. */
  maxTokens: number;
  /** Prepended to search queries. */
  queryPrefix: string;
  /** Prepended to body chunks. */
  passagePrefix: string;
  /** Prepended to titles and similar questions: they are questions, matched question-to-question. */
  questionPrefix: string;
  /** Load onnx/model_quantized.onnx (what Xenova repos ship for CPU) rather than onnx/model.onnx. */
  quantized: boolean;
  description: string;
}

/** A model whose dimensions are known (after loading, or from the registry). */
export type ResolvedModelSpec = ModelSpec & { dims: number };

export const DEFAULT_MODEL_ID = 'Xenova/bge-small-zh-v1.5';

/** Model ids must be safe to inline in SQL (partial index predicates) and in file paths. */
export const MODEL_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)?$/;

const known: ModelSpec[] = [
  {
    id: 'Xenova/bge-small-zh-v1.5',
    dims: 512,
    pooling: 'cls',
    normalize: true,
    maxTokens: 512,
    // BGE v1.5 retrieves well without its query instruction, and our main match is a customer's
    // question against titles and similar questions (symmetric), where the instruction hurts.
    queryPrefix: '',
    passagePrefix: '',
    questionPrefix: '',
    quantized: true,
    description: 'BAAI bge-small-zh v1.5: Chinese, 512 dims (default)',
  },
  {
    id: 'Xenova/multilingual-e5-small',
    dims: 384,
    pooling: 'mean',
    normalize: true,
    maxTokens: 512,
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    // E5 asks for "query: " on both sides of symmetric (question-to-question) matching.
    questionPrefix: 'query: ',
    quantized: true,
    description: 'intfloat multilingual-e5-small: 100 languages, 384 dims',
  },
  {
    id: 'Xenova/paraphrase-multilingual-MiniLM-L12-v2',
    dims: 384,
    pooling: 'mean',
    normalize: true,
    maxTokens: 128,
    queryPrefix: '',
    passagePrefix: '',
    questionPrefix: '',
    quantized: true,
    description: 'sentence-transformers paraphrase-multilingual-MiniLM-L12-v2: 50 languages, 384 dims, short texts',
  },
  {
    id: 'Xenova/all-MiniLM-L6-v2',
    dims: 384,
    pooling: 'mean',
    normalize: true,
    maxTokens: 256,
    queryPrefix: '',
    passagePrefix: '',
    questionPrefix: '',
    quantized: true,
    description: 'sentence-transformers all-MiniLM-L6-v2: English only, 384 dims, fast',
  },
  {
    id: 'zhida/tiny-test',
    dims: 64,
    pooling: 'cls',
    normalize: true,
    maxTokens: 128,
    queryPrefix: '',
    passagePrefix: '',
    questionPrefix: '',
    quantized: true,
    description: 'Generated test model (test/fixtures/make-tiny-model.ts): bag of tokens, 64 dims, no real semantics',
  },
];

export const modelRegistry: ReadonlyMap<string, ModelSpec> = new Map(known.map((m) => [m.id, m]));

export class UnknownModelError extends Error {}

export type ModelOverrides = Config['model']['custom'];

/**
 * The spec for a model id: the registry entry with explicit overrides applied. Unknown ids work
 * too (any BERT/XLM-R style feature-extraction model in transformers.js layout), but the operator
 * must say how to pool (ZHIDA_MODEL_POOLING); dimensions are read from the model when not given.
 */
export function resolveModelSpec(id: string, overrides: ModelOverrides = {}): ModelSpec {
  if (!MODEL_ID_PATTERN.test(id)) {
    throw new UnknownModelError(`Model id "${id}" is not valid: use "owner/name" with letters, digits, ".", "_" or "-"`);
  }
  const base = modelRegistry.get(id);
  if (!base && !overrides.pooling) {
    throw new UnknownModelError(
      `Model "${id}" is not in the registry (${[...modelRegistry.keys()].join(', ')}). ` +
        'To use it anyway set ZHIDA_MODEL_POOLING=cls|mean (and optionally ZHIDA_MODEL_DIMS, ZHIDA_MODEL_MAX_TOKENS, ' +
        'ZHIDA_MODEL_QUERY_PREFIX, ZHIDA_MODEL_PASSAGE_PREFIX).',
    );
  }
  const spec: ModelSpec = base
    ? { ...base }
    : { id, pooling: 'mean', normalize: true, maxTokens: 512, queryPrefix: '', passagePrefix: '', questionPrefix: '', quantized: true, description: 'configured explicitly' };
  if (overrides.dims !== undefined) spec.dims = overrides.dims;
  if (overrides.pooling !== undefined) spec.pooling = overrides.pooling;
  if (overrides.maxTokens !== undefined) spec.maxTokens = overrides.maxTokens;
  if (overrides.queryPrefix !== undefined) spec.queryPrefix = overrides.queryPrefix;
  if (overrides.passagePrefix !== undefined) spec.passagePrefix = overrides.passagePrefix;
  if (overrides.passagePrefix !== undefined && !base) spec.questionPrefix = overrides.passagePrefix;
  if (overrides.quantized !== undefined) spec.quantized = overrides.quantized;
  return spec;
}
