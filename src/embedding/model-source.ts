import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../config.ts';
import type { ModelSpec } from './registry.ts';

export const DEFAULT_HUB_URL = 'https://huggingface.co/';

/**
 * Where transformers.js should read a model from. transformers.js resolves files as
 * `<localModelPath>/<modelPath>/<file>` and, when allowed, downloads from
 * `<remoteHost>/<modelPath>/resolve/main/<file>` into `<cacheDir>/<modelPath>/<file>`.
 */
export interface ModelSource {
  kind: 'dir' | 'models-path' | 'hub';
  localModelPath: string;
  modelPath: string;
  allowRemote: boolean;
  remoteHost: string;
  cacheDir: string;
  /** Human description for logs and `zhida model status`. */
  where: string;
}

/** The files a feature-extraction model needs in transformers.js layout. */
export function requiredFiles(spec: Pick<ModelSpec, 'quantized'>): string[] {
  return ['config.json', 'tokenizer.json', 'tokenizer_config.json', `onnx/model${spec.quantized ? '_quantized' : ''}.onnx`];
}

export function missingFiles(dir: string, spec: Pick<ModelSpec, 'quantized'>): string[] {
  return requiredFiles(spec).filter((f) => !existsSync(path.join(dir, f)));
}

export class ModelUnavailableError extends Error {}

/** The directory a model's files live in when installed under `modelsPath` (what `zhida model pull` writes). */
export function installedModelDir(modelsPath: string, id: string): string {
  return path.resolve(modelsPath, ...id.split('/'));
}

/**
 * Decides where to load `spec` from, or throws ModelUnavailableError whose message tells the
 * operator exactly what to do. Order: ZHIDA_MODEL_DIR (never the network), then the models path,
 * then the hub or its mirror (ZHIDA_HUB_URL) unless ZHIDA_OFFLINE=1.
 */
export function locateModel(model: Config['model'], spec: ModelSpec): ModelSource {
  const remoteHost = ensureSlash(model.hubUrl ?? DEFAULT_HUB_URL);
  const cacheDir = path.resolve(model.modelsPath);
  if (model.dir) {
    const dir = path.resolve(model.dir);
    // Accept both the model's own directory and a root that holds <owner>/<name>/ (like the models path).
    const own = missingFiles(dir, spec);
    if (own.length === 0) {
      return { kind: 'dir', localModelPath: path.dirname(dir), modelPath: path.basename(dir), allowRemote: false, remoteHost, cacheDir, where: dir };
    }
    const nested = installedModelDir(dir, spec.id);
    const nestedMissing = missingFiles(nested, spec);
    if (nestedMissing.length === 0) {
      return { kind: 'dir', localModelPath: dir, modelPath: spec.id, allowRemote: false, remoteHost, cacheDir, where: nested };
    }
    throw new ModelUnavailableError(
      `ZHIDA_MODEL_DIR=${dir} does not hold model ${spec.id}: expected ${requiredFiles(spec).join(', ')} in ${dir} or in ${nested} ` +
        `(missing: ${nestedMissing.join(', ')}). Copy the model there (transformers.js layout, e.g. from \`zhida model pull ${spec.id}\` ` +
        'on a machine that can reach the hub) or fix ZHIDA_MODEL_DIR. Search runs keyword-only until then.',
    );
  }
  const installed = installedModelDir(cacheDir, spec.id);
  if (missingFiles(installed, spec).length === 0) {
    return { kind: 'models-path', localModelPath: cacheDir, modelPath: spec.id, allowRemote: false, remoteHost, cacheDir, where: installed };
  }
  if (model.offline) {
    throw new ModelUnavailableError(
      `Embedding model ${spec.id} is not installed in ${installed} and ZHIDA_OFFLINE=1 forbids downloading it. ` +
        `Search runs keyword-only. To enable semantic search either set ZHIDA_MODEL_DIR to a directory holding the model ` +
        `(transformers.js layout: ${requiredFiles(spec).join(', ')}), or run \`zhida model pull ${spec.id}\` on a machine ` +
        `that can reach the hub (or a mirror via ZHIDA_HUB_URL) and copy the result to ${installed}. ` +
        'The server picks it up within ZHIDA_MODEL_CHECK_SECONDS, no restart needed.',
    );
  }
  return { kind: 'hub', localModelPath: cacheDir, modelPath: spec.id, allowRemote: true, remoteHost, cacheDir, where: `${remoteHost}${spec.id}` };
}

/** Models found under the models path: `<owner>/<name>` directories holding a config.json. */
export function listInstalledModels(modelsPath: string): { id: string; dir: string; bytes: number }[] {
  const root = path.resolve(modelsPath);
  if (!existsSync(root)) return [];
  const found: { id: string; dir: string; bytes: number }[] = [];
  for (const owner of readdirSync(root)) {
    const ownerDir = path.join(root, owner);
    if (!statSync(ownerDir).isDirectory()) continue;
    for (const name of readdirSync(ownerDir)) {
      const dir = path.join(ownerDir, name);
      if (existsSync(path.join(dir, 'config.json'))) found.push({ id: `${owner}/${name}`, dir, bytes: directoryBytes(dir) });
    }
  }
  return found;
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? directoryBytes(p) : statSync(p).size;
  }
  return total;
}

function ensureSlash(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
