import { AutoModel, AutoTokenizer, env, type PreTrainedModel, type PreTrainedTokenizer } from '@xenova/transformers';
import type { ModelSource } from './model-source.ts';
import type { ModelSpec, ResolvedModelSpec } from './registry.ts';

/** transformers.js progress events (download/load of each file). */
export type ProgressEvent = { status: string; file?: string; progress?: number; loaded?: number; total?: number };

export interface EmbedderStats {
  texts: number;
  batches: number;
}

interface Pending {
  text: string;
  resolve: (v: number[]) => void;
  reject: (e: unknown) => void;
}

// transformers.js keeps its settings in one global `env`: loads are serialised so two models with
// different sources never see each other's settings half-applied.
let loadChain: Promise<unknown> = Promise.resolve();

/**
 * One loaded model: tokenizer + ONNX session, pooling and normalisation from the registry spec.
 * Concurrent `embed` calls are micro-batched: requests that arrive while a batch runs are
 * collected and run together (up to `maxBatch` texts), so many simultaneous searches cost a few
 * model calls, not one each.
 */
export class Embedder {
  readonly spec: ResolvedModelSpec;
  readonly stats: EmbedderStats = { texts: 0, batches: 0 };
  private queue: Pending[] = [];
  private draining = false;

  private constructor(
    spec: ModelSpec,
    readonly dims: number,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    readonly maxBatch: number,
  ) {
    this.spec = { ...spec, dims };
  }

  /** Loads tokenizer and model from `source` and checks the output size against the spec. */
  static load(spec: ModelSpec, source: ModelSource, options: { maxBatch?: number; onProgress?: (e: ProgressEvent) => void } = {}): Promise<Embedder> {
    const run = async () => {
      env.allowLocalModels = true;
      env.localModelPath = source.localModelPath;
      env.allowRemoteModels = source.allowRemote;
      env.remoteHost = source.remoteHost;
      env.remotePathTemplate = '{model}/resolve/{revision}/';
      env.useFSCache = true;
      env.cacheDir = source.cacheDir;
      const common = { local_files_only: !source.allowRemote, progress_callback: options.onProgress };
      const tokenizer = await AutoTokenizer.from_pretrained(source.modelPath, common);
      const model = await AutoModel.from_pretrained(source.modelPath, { ...common, quantized: spec.quantized });
      const probe = new Embedder(spec, spec.dims ?? 0, tokenizer, model, options.maxBatch ?? 32);
      const [vector] = await probe.run(['probe']);
      const dims = vector!.length;
      if (spec.dims !== undefined && spec.dims !== dims) {
        throw new Error(`Model ${spec.id} produces ${dims}-dimensional vectors but ${spec.dims} were expected (registry or ZHIDA_MODEL_DIMS)`);
      }
      return new Embedder(spec, dims, tokenizer, model, options.maxBatch ?? 32);
    };
    const loaded = loadChain.then(run, run);
    loadChain = loaded.catch(() => undefined);
    return loaded;
  }

  /** Embeds texts as they are (callers add prefixes). Micro-batched with concurrent callers. */
  embed(texts: string[]): Promise<number[][]> {
    return Promise.all(
      texts.map(
        (text) =>
          new Promise<number[]>((resolve, reject) => {
            this.queue.push({ text, resolve, reject });
            this.drainSoon();
          }),
      ),
    );
  }

  /** Tokens the model would see for `text`, special tokens included (before truncation). */
  countTokens(text: string): number {
    return this.tokenizer.encode(text).length;
  }

  async dispose(): Promise<void> {
    await this.model.dispose();
  }

  private drainSoon() {
    if (this.draining) return;
    this.draining = true;
    // Let callers in the same tick join the first batch.
    setImmediate(() => void this.drain());
  }

  private async drain() {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const vectors = await this.run(batch.map((p) => p.text));
          batch.forEach((p, i) => p.resolve(vectors[i]!));
        } catch (err) {
          batch.forEach((p) => p.reject(err));
        }
      }
    } finally {
      this.draining = false;
      if (this.queue.length > 0) this.drainSoon();
    }
  }

  /** One model call: tokenize with padding + truncation, run, pool, normalise. */
  private async run(texts: string[]): Promise<number[][]> {
    this.stats.batches++;
    this.stats.texts += texts.length;
    const inputs = this.tokenizer(texts, { padding: true, truncation: true, max_length: this.spec.maxTokens });
    const output = await this.model(inputs);
    const hidden = output.last_hidden_state ?? output.token_embeddings ?? output.logits;
    const [batch, seq, dims] = hidden.dims as [number, number, number];
    const data = hidden.data as Float32Array;
    const mask = inputs.attention_mask.data as BigInt64Array;
    const vectors: number[][] = [];
    for (let b = 0; b < batch; b++) {
      const v = new Float64Array(dims);
      if (this.spec.pooling === 'cls') {
        for (let d = 0; d < dims; d++) v[d] = data[b * seq * dims + d]!;
      } else {
        let count = 0;
        for (let s = 0; s < seq; s++) {
          if (mask[b * seq + s] === 0n) continue;
          count++;
          const base = (b * seq + s) * dims;
          for (let d = 0; d < dims; d++) v[d]! += data[base + d]!;
        }
        for (let d = 0; d < dims; d++) v[d]! /= Math.max(count, 1);
      }
      if (this.spec.normalize) {
        let norm = 0;
        for (let d = 0; d < dims; d++) norm += v[d]! * v[d]!;
        norm = Math.sqrt(norm) || 1;
        for (let d = 0; d < dims; d++) v[d]! /= norm;
      }
      vectors.push(Array.from(v));
    }
    return vectors;
  }
}
