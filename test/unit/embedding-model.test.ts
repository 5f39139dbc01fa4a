import { cpSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AutoTokenizer } from '@xenova/transformers';
import * as ort from 'onnxruntime-node';
import { beforeAll, describe, expect, it } from 'vitest';
import { chunkText } from '../../src/embedding/chunk.ts';
import { Embedder } from '../../src/embedding/embedder.ts';
import { locateModel, ModelUnavailableError } from '../../src/embedding/model-source.ts';
import { resolveModelSpec, UnknownModelError } from '../../src/embedding/registry.ts';
import { textsForVersion } from '../../src/embedding/version-texts.ts';
import { embeddingConfig, makeTinyModelRoot } from '../fixtures/embedding-env.ts';

const cosine = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / (Math.hypot(...a) * Math.hypot(...b));

let root: string;
let embedder: Embedder;

beforeAll(async () => {
  root = makeTinyModelRoot();
  const config = embeddingConfig({ ZHIDA_MODEL_DIR: root });
  const spec = resolveModelSpec(config.model.id, config.model.custom);
  embedder = await Embedder.load(spec, locateModel(config.model, spec));
});

describe('tiny model through transformers.js', () => {
  it('writes the transformers.js layout deterministically', () => {
    const again = makeTinyModelRoot();
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx', 'onnx/model_quantized.onnx']) {
      const a = readFileSync(path.join(root, 'zhida/tiny-test', f));
      expect(a.equals(readFileSync(path.join(again, 'zhida/tiny-test', f))), f).toBe(true);
    }
  });

  it('embeds to normalised 64-dim vectors; texts sharing characters or words are nearer', async () => {
    expect(embedder.dims).toBe(64);
    const [lost, lostAgain, password, enLost, enLostAgain] = await embedder.embed([
      '信用卡丢了怎么办',
      '信用卡丢失如何挂失',
      '忘记登录密码怎么重置',
      'I lost my credit card',
      'How do I report a lost credit card?',
    ]);
    for (const v of [lost!, password!, enLost!]) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    expect(cosine(lost!, lostAgain!)).toBeGreaterThan(cosine(lost!, password!));
    expect(cosine(enLost!, enLostAgain!)).toBeGreaterThan(cosine(enLost!, password!));
    // The same text gives the same vector, alone or in a padded batch.
    const [alone] = await embedder.embed(['信用卡丢了怎么办']);
    alone!.forEach((x, i) => expect(x).toBeCloseTo(lost![i]!, 5));
  });

  it('pools exactly like the model output says: CLS row / masked mean, then L2-normalised', async () => {
    const texts = ['信用卡挂失', 'lost card please help me now'];
    const tokenizer = await AutoTokenizer.from_pretrained('zhida/tiny-test');
    const enc = tokenizer(texts, { padding: true, truncation: true });
    const session = await ort.InferenceSession.create(path.join(root, 'zhida/tiny-test/onnx/model_quantized.onnx'));
    const feeds: Record<string, ort.Tensor> = {};
    for (const name of ['input_ids', 'attention_mask', 'token_type_ids']) feeds[name] = new ort.Tensor('int64', enc[name].data, enc[name].dims);
    const out = await session.run(feeds);
    const hidden = out.last_hidden_state!;
    const [batch, seq, dims] = hidden.dims as number[];
    const data = hidden.data as Float32Array;
    const mask = enc.attention_mask.data as BigInt64Array;
    const norm = (v: number[]) => v.map((x) => x / Math.hypot(...v));
    const cls = Array.from({ length: batch! }, (_, b) => norm(Array.from(data.slice(b * seq! * dims!, b * seq! * dims! + dims!))));
    const mean = Array.from({ length: batch! }, (_, b) => {
      const v = new Array(dims!).fill(0);
      let n = 0;
      for (let s = 0; s < seq!; s++) {
        if (mask[b * seq! + s] === 0n) continue;
        n++;
        for (let d = 0; d < dims!; d++) v[d] += data[(b * seq! + s) * dims! + d]!;
      }
      return norm(v.map((x) => x / n));
    });
    const ours = await embedder.embed(texts);
    ours.forEach((v, b) => v.forEach((x, d) => expect(x).toBeCloseTo(cls[b]![d]!, 5)));

    const meanSpec = resolveModelSpec('zhida/tiny-test', { pooling: 'mean' });
    const meanEmbedder = await Embedder.load(meanSpec, locateModel(embeddingConfig({ ZHIDA_MODEL_DIR: root }).model, meanSpec));
    const oursMean = await meanEmbedder.embed(texts);
    oursMean.forEach((v, b) => v.forEach((x, d) => expect(x).toBeCloseTo(mean[b]![d]!, 5)));
    // Padding must not leak into the mean: the short text alone gives the same vector.
    const [shortAlone] = await meanEmbedder.embed([texts[0]!]);
    shortAlone!.forEach((x, d) => expect(x).toBeCloseTo(oursMean[0]![d]!, 5));
  });

  it('micro-batches concurrent requests into few model calls', async () => {
    const before = { ...embedder.stats };
    const queries = Array.from({ length: 40 }, (_, i) => `查询 ${i} 信用卡`);
    const results = await Promise.all(queries.map((q) => embedder.embed([q])));
    expect(results).toHaveLength(40);
    const batches = embedder.stats.batches - before.batches;
    expect(embedder.stats.texts - before.texts).toBe(40);
    expect(batches).toBeLessThanOrEqual(3); // 40 texts, at most 32 per call
    // Each caller got its own text's vector.
    const [direct] = await embedder.embed([queries[7]!]);
    results[7]![0]!.forEach((x, d) => expect(x).toBeCloseTo(direct![d]!, 5));
  });

  it('truncates at the token limit instead of failing on long text', async () => {
    expect(embedder.countTokens('挂'.repeat(500))).toBe(502);
    const [v] = await embedder.embed(['挂'.repeat(500)]);
    expect(v).toHaveLength(64);
  });
});

describe('what is embedded per version', () => {
  it('title, each similar question, and CJK-aware body chunks within the token limit', () => {
    const spec = { ...resolveModelSpec('zhida/tiny-test'), maxTokens: 40, passagePrefix: 'passage: ', questionPrefix: 'query: ' };
    const sentence = '挂失后原卡立即停止使用，请在手机银行申请补卡。';
    const body = `${sentence.repeat(6)}\n\nIf you lost your card, call us at once. We will block it right away.`;
    const texts = textsForVersion({ title: '信用卡丢失如何挂失', similarQuestions: ['信用卡丢了怎么办', '信用卡丢失如何挂失', ' '], bodyText: body }, spec, (s) => embedder.countTokens(s));
    expect(texts.filter((t) => t.kind === 'title').map((t) => t.input)).toEqual(['query: 信用卡丢失如何挂失']);
    // The duplicate of the title and the blank question are skipped.
    expect(texts.filter((t) => t.kind === 'question').map((t) => t.text)).toEqual(['信用卡丢了怎么办']);
    const chunks = texts.filter((t) => t.kind === 'chunk');
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      expect(embedder.countTokens(c.input)).toBeLessThanOrEqual(40);
      expect(c.input.startsWith('passage: ')).toBe(true);
    }
    // Chinese sentences are kept whole (cut at 。), and nothing of the body is lost.
    expect(chunks.filter((c) => /[\u4e00-\u9fff]/.test(c.text)).every((c) => c.text.endsWith('。'))).toBe(true);
    expect(chunks.map((c) => c.text).join('').replace(/\s/g, '')).toBe(body.normalize('NFKC').replace(/\s/g, '')); // NFKC: ，-> ,
  });

  it('cuts an over-long sentence without punctuation by characters', () => {
    const pieces = chunkText('甲'.repeat(100), 30, (s) => [...s].length + 2);
    expect(pieces.every((p) => [...p].length + 2 <= 30)).toBe(true);
    expect(pieces.join('')).toBe('甲'.repeat(100));
  });
});

describe('registry and model location', () => {
  it('knows the default and the listed models; unknown ids need explicit pooling', () => {
    expect(resolveModelSpec('Xenova/bge-small-zh-v1.5')).toMatchObject({ dims: 512, pooling: 'cls', normalize: true });
    expect(resolveModelSpec('Xenova/multilingual-e5-small')).toMatchObject({ dims: 384, pooling: 'mean', queryPrefix: 'query: ', passagePrefix: 'passage: ' });
    expect(resolveModelSpec('Xenova/paraphrase-multilingual-MiniLM-L12-v2').dims).toBe(384);
    expect(resolveModelSpec('Xenova/all-MiniLM-L6-v2').dims).toBe(384);
    expect(() => resolveModelSpec('acme/private-model')).toThrow(UnknownModelError);
    expect(() => resolveModelSpec("bad'; drop table x")).toThrow(UnknownModelError);
    const custom = embeddingConfig({ ZHIDA_MODEL: 'acme/private-model', ZHIDA_MODEL_POOLING: 'cls', ZHIDA_MODEL_DIMS: '768', ZHIDA_MODEL_QUERY_PREFIX: 'q: ' });
    expect(resolveModelSpec(custom.model.id, custom.model.custom)).toMatchObject({ id: 'acme/private-model', pooling: 'cls', dims: 768, queryPrefix: 'q: ' });
  });

  it('loads from the model directory itself as well as from a root, and never from the network with ZHIDA_MODEL_DIR', async () => {
    const spec = resolveModelSpec('zhida/tiny-test');
    const own = locateModel(embeddingConfig({ ZHIDA_MODEL_DIR: path.join(root, 'zhida/tiny-test'), ZHIDA_OFFLINE: '0' }).model, spec);
    expect(own).toMatchObject({ kind: 'dir', allowRemote: false });
    const fromOwn = await Embedder.load(spec, own);
    const [a] = await fromOwn.embed(['信用卡']);
    const [b] = await embedder.embed(['信用卡']);
    a!.forEach((x, i) => expect(x).toBeCloseTo(b![i]!, 6));
    expect(() => locateModel(embeddingConfig({ ZHIDA_MODEL_DIR: mkdtempSync(path.join(tmpdir(), 'empty-')) }).model, spec)).toThrow(/ZHIDA_MODEL_DIR=.*does not hold model zhida\/tiny-test/);
  });

  it('offline without a local copy: a reason that says exactly what to do', () => {
    const config = embeddingConfig({ ZHIDA_MODEL: 'Xenova/bge-small-zh-v1.5' });
    let error: unknown;
    try {
      locateModel(config.model, resolveModelSpec(config.model.id));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ModelUnavailableError);
    expect((error as Error).message).toMatch(/ZHIDA_OFFLINE=1/);
    expect((error as Error).message).toMatch(/ZHIDA_MODEL_DIR/);
    expect((error as Error).message).toMatch(/zhida model pull Xenova\/bge-small-zh-v1\.5/);
  });

  it('finds a model installed under the models path (what `zhida model pull` writes)', () => {
    const config = embeddingConfig();
    cpSync(path.join(root, 'zhida'), path.join(config.model.modelsPath, 'zhida'), { recursive: true });
    expect(locateModel(config.model, resolveModelSpec('zhida/tiny-test'))).toMatchObject({ kind: 'models-path', allowRemote: false });
  });
});
