import { createReadStream, existsSync, mkdtempSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTinyModelRoot } from '../fixtures/embedding-env.ts';
import { zhida } from '../helpers/cli.ts';

// A local stand-in for a hub mirror (ZHIDA_HUB_URL): serves <id>/resolve/main/<file> like huggingface.co.
let mirror: Server;
let mirrorUrl: string;
const requested: string[] = [];

beforeAll(async () => {
  const root = makeTinyModelRoot();
  mirror = createServer((req, res) => {
    const match = /^\/(.+?)\/resolve\/main\/(.+)$/.exec(decodeURIComponent(req.url ?? ''));
    const file = match ? path.join(root, match[1]!, match[2]!) : '';
    requested.push(req.url ?? '');
    if (!match || !existsSync(file)) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-length': statSync(file).size });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise((resolve) => mirror?.close(resolve));
});

describe('zhida model pull', () => {
  it('downloads from a mirror into the models path, where the server then finds it', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'zhida-cli-'));
    const env = { ZHIDA_DATA_DIR: dataDir, ZHIDA_HUB_URL: mirrorUrl, ZHIDA_MODEL: 'zhida/tiny-test' };
    const pulled = await zhida(['model', 'pull'], env);
    expect(pulled.out).toContain('Installed zhida/tiny-test (64 dims)');
    expect(pulled.code).toBe(0);
    for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx']) {
      expect(existsSync(path.join(dataDir, 'models/zhida/tiny-test', f)), f).toBe(true);
    }
    expect(requested.some((u) => u.endsWith('/zhida/tiny-test/resolve/main/onnx/model_quantized.onnx'))).toBe(true);
    const status = await zhida(['model', 'status'], { ...env, ZHIDA_OFFLINE: '1' });
    expect(status.out).toContain(`Loads from: ${path.join(dataDir, 'models/zhida/tiny-test')}`);
    expect(status.out).toMatch(/installed zhida\/tiny-test/);
  }, 600_000);

  it('fails fast with a clear message when the hub is unreachable', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'zhida-cli-'));
    const result = await zhida(['model', 'pull', 'Xenova/bge-small-zh-v1.5'], { ZHIDA_DATA_DIR: dataDir, ZHIDA_HUB_URL: 'http://127.0.0.1:9/' });
    expect(result.code).toBe(1);
    expect(result.out).toContain('Cannot reach the model hub http://127.0.0.1:9/');
    expect(result.out).toContain('ZHIDA_HUB_URL');
    expect(result.out).toContain('ZHIDA_MODEL_DIR');
    expect(existsSync(path.join(dataDir, 'models/Xenova/bge-small-zh-v1.5/onnx'))).toBe(false);
  }, 600_000);
});
