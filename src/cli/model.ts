import { existsSync } from 'node:fs';
import { AutoModel, AutoTokenizer, env } from '@xenova/transformers';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { sql } from 'drizzle-orm';
import type { Config } from '../config.ts';
import { DataDirLockedError, type Database } from '../db/client.ts';
import { rowsOf } from '../db/rows.ts';
import { Embedder } from '../embedding/embedder.ts';
import { DEFAULT_HUB_URL, installedModelDir, listInstalledModels, locateModel, missingFiles, requiredFiles } from '../embedding/model-source.ts';
import { readModelsInUse, requestModel } from '../embedding/model-settings.ts';
import { queueCounts } from '../embedding/queue.ts';
import { modelRegistry, resolveModelSpec, UnknownModelError, type ModelSpec } from '../embedding/registry.ts';
import { cliConfig, fail, openMigratedDatabase, whileServerRuns, withDatabase } from './database.ts';

function specFor(cfg: Config, id: string | undefined, overrides: { pooling?: string; dims?: string } = {}): ModelSpec {
  const modelId = id ?? cfg.model.id;
  const custom = modelId === cfg.model.id ? { ...cfg.model.custom } : {};
  if (overrides.pooling) custom.pooling = overrides.pooling === 'cls' ? 'cls' : 'mean';
  if (overrides.dims) custom.dims = Number(overrides.dims);
  try {
    return resolveModelSpec(modelId, custom);
  } catch (err) {
    if (err instanceof UnknownModelError) fail(`${err.message}\n(On the command line: --pooling cls|mean [--dims N].)`);
    throw err;
  }
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/**
 * `zhida model pull [id]`: downloads a model from the hub (or ZHIDA_HUB_URL) into the models path,
 * with a progress bar per file. Fails fast, saying what to do, when the hub cannot be reached.
 */
async function pull(id: string | undefined, opts: { pooling?: string }) {
  const cfg = cliConfig();
  const spec = specFor(cfg, id, opts);
  const target = installedModelDir(cfg.model.modelsPath, spec.id);
  if (missingFiles(target, spec).length === 0) {
    console.log(`${spec.id} is already installed in ${target}`);
    return;
  }
  if (cfg.model.offline) fail(`ZHIDA_OFFLINE=1 forbids downloads. Pull on a machine that can reach the hub and copy ${target} here, or set ZHIDA_MODEL_DIR.`);
  const hub = (cfg.model.hubUrl ?? DEFAULT_HUB_URL).replace(/\/?$/, '/');
  const probeUrl = `${hub}${spec.id}/resolve/main/config.json`;
  try {
    const res = await fetch(probeUrl, { method: 'HEAD', redirect: 'follow', signal: AbortSignal.timeout(15_000) });
    if (res.status === 404) fail(`Model ${spec.id} does not exist on ${hub} (404 for ${probeUrl}).`);
    if (!res.ok) fail(`The hub answered ${res.status} for ${probeUrl}. Check ZHIDA_HUB_URL (mirror) or access rights.`);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
    fail(
      `Cannot reach the model hub ${hub} (${cause}). This machine has no access to it.\n` +
        `Options: set ZHIDA_HUB_URL to a reachable mirror (e.g. an internal HF mirror); or run \`zhida model pull ${spec.id}\` ` +
        `on a machine with access and copy ${target} (${requiredFiles(spec).join(', ')}) to this machine's models path ` +
        `(${cfg.model.modelsPath}) or point ZHIDA_MODEL_DIR at it.`,
    );
  }
  const bars = new cliProgress.MultiBar(
    { format: ' {bar} {percentage}% | {file} | {size}', hideCursor: true, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  const perFile = new Map<string, cliProgress.SingleBar>();
  const onProgress = (e: { status: string; file?: string; progress?: number; loaded?: number; total?: number }) => {
    if (!e.file) return;
    let bar = perFile.get(e.file);
    if (!bar) {
      bar = bars.create(100, 0, { file: e.file, size: '' });
      perFile.set(e.file, bar);
    }
    if (e.status === 'progress') bar.update(Math.round(e.progress ?? 0), { file: e.file, size: e.total ? mb(e.total) : '' });
    if (e.status === 'done') bar.update(100);
  };
  try {
    env.allowLocalModels = true;
    env.localModelPath = cfg.model.modelsPath;
    env.allowRemoteModels = true;
    env.remoteHost = hub;
    env.useFSCache = true;
    env.cacheDir = cfg.model.modelsPath; // transformers.js writes <cacheDir>/<id>/<file>: the layout we load from
    const options = { progress_callback: onProgress };
    await AutoTokenizer.from_pretrained(spec.id, options);
    await AutoModel.from_pretrained(spec.id, { ...options, quantized: spec.quantized });
  } catch (err) {
    bars.stop();
    fail(`Download of ${spec.id} failed: ${(err as Error).message}`);
  }
  bars.stop();
  const missing = missingFiles(target, spec);
  if (missing.length) fail(`Download finished but ${missing.join(', ')} are missing in ${target}.`);
  const embedder = await Embedder.load(spec, locateModel({ ...cfg.model, dir: undefined }, spec));
  console.log(`Installed ${spec.id} (${embedder.dims} dims) in ${target}`);
  await embedder.dispose();
}

/** `zhida model status`: configured model, where it loads from (or why it cannot), installed models, index progress. */
async function status() {
  const cfg = cliConfig();
  const lines: string[] = [];
  let spec: ModelSpec | undefined;
  try {
    spec = resolveModelSpec(cfg.model.id, cfg.model.custom);
  } catch (err) {
    lines.push(`Configured model: ${cfg.model.id} — NOT USABLE: ${(err as Error).message}`);
  }
  if (spec) {
    lines.push(`Configured model: ${spec.id} (${spec.dims ?? '?'} dims, ${spec.pooling} pooling, max ${spec.maxTokens} tokens) — ${spec.description}`);
    try {
      const source = locateModel(cfg.model, spec);
      lines.push(`Loads from: ${source.where}${source.allowRemote ? ' (download on first start)' : ''}`);
    } catch (err) {
      lines.push(`Unavailable: ${(err as Error).message}`);
    }
  }
  lines.push(`Models path: ${cfg.model.modelsPath}${existsSync(cfg.model.modelsPath) ? '' : ' (does not exist yet)'}`);
  const installed = listInstalledModels(cfg.model.modelsPath);
  for (const m of installed) lines.push(`  installed ${m.id.padEnd(48)} ${mb(m.bytes)}${modelRegistry.has(m.id) ? '' : ' (not in the registry: needs ZHIDA_MODEL_POOLING)'}`);
  if (installed.length === 0) lines.push('  (none installed)');
  lines.push(`Registry: ${[...modelRegistry.keys()].join(', ')}`);
  let database: Database | undefined;
  try {
    database = await openMigratedDatabase(cfg);
    const models = await readModelsInUse(database.db);
    const counts = await queueCounts(database.db).catch(() => ({ pending: '?', failed: '?' }));
    if (models) {
      const [v] = rowsOf<{ n: number }>(await database.db.execute(sql`select count(*)::int as n from answer_embeddings where model_id = ${models.active.id}`));
      lines.push(`Active model (database): ${models.active.id}, ${v?.n ?? 0} vectors`);
      if (models.target) lines.push(`Switching to: ${models.target.id} since ${models.target.startedAt}`);
    } else lines.push('Active model (database): none yet (set on first start)');
    lines.push(`Queue: ${counts.pending} pending, ${counts.failed} failed`);
  } catch (err) {
    lines.push(err instanceof DataDirLockedError ? 'Database: in use by the running server (see GET /api/v1/index/status)' : `Database: ${(err as Error).message}`);
  } finally {
    await database?.close();
  }
  console.log(lines.join('\n'));
}

/** `zhida model use <id>`: re-embeds everything into <id> in the background, then switches. */
async function use(id: string, opts: { pooling?: string; dims?: string }) {
  const cfg = cliConfig();
  const spec = specFor(cfg, id, opts);
  await withDatabase(
    cfg,
    async (database) => {
      const { models, switching } = await requestModel(database.db, spec);
      console.log(
        switching
          ? `Switching from ${models.active.id} to ${spec.id}: every answer is re-embedded in the background while ${models.active.id} keeps serving; ` +
              'the switch happens when it is complete (watch `zhida model status` or GET /api/v1/index/status). ' +
              `Also set ZHIDA_MODEL=${spec.id} so a restart does not switch back.`
          : `${spec.id} is the active model.`,
      );
    },
    whileServerRuns.index,
  );
}

/** Registers `zhida model pull|status|use`. */
export function registerModelCommands(program: Command): void {
  const model = program.command('model').description('Embedding models / 向量模型');
  model
    .command('pull [id]')
    .description('Download a model (default: ZHIDA_MODEL) into the models path (ZHIDA_MODELS_PATH) with a progress bar')
    .option('--pooling <cls|mean>', 'for ids not in the registry')
    .action(pull);
  model.command('status').description('Configured model, where it loads from (or why not), installed models, index progress').action(status);
  model
    .command('use <id>')
    .description('Switch the active model: re-embed everything in the background, then switch (the old model serves meanwhile)')
    .option('--pooling <cls|mean>', 'for ids not in the registry')
    .option('--dims <n>', 'expected dimensions (checked when loading)')
    .action(use);
}
