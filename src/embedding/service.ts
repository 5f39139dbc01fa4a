import { safeErrorMessage } from '../db/errors.ts';
import type { Config } from '../config.ts';
import type { Db } from '../db/client.ts';
import type { Logger } from '../logger.ts';
import { Embedder } from './embedder.ts';
import { locateModel, ModelUnavailableError } from './model-source.ts';
import { readModelsInUse, requestModel, type ModelsInUse } from './model-settings.ts';
import { resolveModelSpec, UnknownModelError, type ModelSpec } from './registry.ts';
import { vectorSearch, type VectorHit, type VectorSearchFilters } from './vector-search.ts';

export type ModelStateName = 'ready' | 'loading' | 'unavailable' | 'disabled';

/** ZHIDA_MODEL values that mean "keyword search only, on purpose": no model is loaded or looked for. */
export const KEYWORD_ONLY_MODEL_IDS = ['none', 'off', 'keyword'] as const;
export function isKeywordOnly(modelId: string): boolean {
  return (KEYWORD_ONLY_MODEL_IDS as readonly string[]).includes(modelId.trim().toLowerCase());
}

/** What /readyz, index/status and the editor banner show about the model. */
export interface ModelState {
  id: string;
  /** Vector size; null until the model has been loaded once (unknown ids). */
  dims: number | null;
  state: ModelStateName;
  /** Why it is not ready, and what the operator should do. */
  reason?: string;
  /** During a model switch: the model being filled in the background. */
  switchingTo?: { id: string; dims: number | null; state: ModelStateName; reason?: string; startedAt: string };
}

export class EmbeddingUnavailableError extends Error {
  constructor(readonly modelState: ModelState) {
    super(modelState.reason ?? `Embedding model ${modelState.id} is ${modelState.state}`);
  }
}

interface Slot {
  spec: ModelSpec;
  state: ModelStateName;
  reason?: string;
  embedder?: Embedder;
  loading?: Promise<Embedder | null>;
  nextAttemptAt: number;
}

/** A model that can embed right now. */
export interface ReadyModel {
  spec: ModelSpec;
  embedder: Embedder;
}

/**
 * The embedding model(s) of this process. Loads the active model once (in the background: the
 * server starts at once and searches keyword-only until it is ready), keeps looking for a model
 * that is unavailable (every ZHIDA_MODEL_CHECK_SECONDS, so a model copied in later is picked up
 * without a restart), follows model switches made by any process through the settings table,
 * and embeds queries with micro-batching.
 *
 * @example
 * const { id, state } = ctx.embedding.state();
 * if (state === 'ready') hits = await vectorSearch(ctx.db, await ctx.embedding.embedQuery(q), { modelId: id });
 */
export class EmbeddingService {
  private slots = new Map<string, Slot>();
  private models: ModelsInUse | null = null;
  private timer?: NodeJS.Timeout;
  private stopped = false;
  private readyListeners: ((modelId: string) => void)[] = [];
  private refreshing?: Promise<void>;

  constructor(
    private readonly deps: { db: Db; config: Config; log: Logger },
    private readonly options: { pollMs?: number } = {},
  ) {}

  /** The spec ZHIDA_MODEL (+ overrides) asks for; throws UnknownModelError for unknown ids without ZHIDA_MODEL_POOLING. */
  configuredSpec(): ModelSpec {
    return resolveModelSpec(this.deps.config.model.id, this.deps.config.model.custom);
  }

  /**
   * Records the configured model in the settings (first start: active; a changed ZHIDA_MODEL: the
   * target of a background switch) and starts loading. Never throws for a missing model.
   */
  async start(): Promise<void> {
    // Keyword-only by choice: nothing to load, nothing to warn about (state 'disabled').
    if (isKeywordOnly(this.deps.config.model.id)) return;
    let spec: ModelSpec;
    try {
      spec = this.configuredSpec();
      const { models } = await requestModel(this.deps.db, spec);
      this.models = models;
      if (models.target) this.deps.log.info({ from: models.active.id, to: models.target.id }, 'embedding model switch in progress: re-embedding in the background');
    } catch (err) {
      if (!(err instanceof UnknownModelError)) throw err;
      // A bad model id must not stop the service: keyword search still works. Say why.
      this.models = (await readModelsInUse(this.deps.db)) ?? null;
      const id = this.deps.config.model.id;
      this.slots.set(id, { spec: { id } as ModelSpec, state: 'unavailable', reason: err.message, nextAttemptAt: Infinity });
      if (!this.models) this.models = { active: { id } as ModelSpec, retired: [] };
      this.deps.log.warn({ model: id, reason: err.message }, 'embedding model not usable');
    }
    this.ensureSlots();
    this.timer = setInterval(() => void this.refresh(), this.options.pollMs ?? 2000);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.refreshing;
    // A load stuck on an unreachable hub must not hold up shutdown: give it a moment, then go.
    const loads = Promise.allSettled([...this.slots.values()].map((s) => s.loading));
    await Promise.race([loads, new Promise((resolve) => setTimeout(resolve, 3000).unref())]);
    for (const slot of this.slots.values()) await slot.embedder?.dispose().catch(() => {});
    this.slots.clear();
  }

  /** The active model's state (plus the switch target's, during a switch). */
  state(): ModelState {
    if (isKeywordOnly(this.deps.config.model.id)) return { id: 'none', dims: null, state: 'disabled' };
    const active = this.models?.active ?? { id: this.deps.config.model.id };
    const out: ModelState = this.slotState(active.id, (active as ModelSpec).dims);
    const target = this.models?.target;
    if (target) out.switchingTo = { ...this.slotState(target.id, target.dims), startedAt: target.startedAt };
    return out;
  }

  /** Embeds a search query with the active model's query prefix. Throws EmbeddingUnavailableError when not ready. */
  async embedQuery(text: string): Promise<number[]> {
    return (await this.embedQueryWithModel(text)).vector;
  }

  /** Like embedQuery, also naming the model that made the vector (pass it to vectorSearch). */
  async embedQueryWithModel(text: string): Promise<{ modelId: string; vector: number[] }> {
    const active = this.models?.active;
    const slot = active ? this.slots.get(active.id) : undefined;
    if (!active || !slot?.embedder) throw new EmbeddingUnavailableError(this.state());
    const [vector] = await slot.embedder.embed([slot.spec.queryPrefix + text]);
    return { modelId: active.id, vector: vector! };
  }

  /**
   * Query text -> nearest live answers with the active model, or null when no model is ready (the
   * caller then runs keyword-only and reports mode "keyword").
   */
  async search(text: string, opts: { limit?: number; filters?: VectorSearchFilters; efSearch?: number } = {}): Promise<VectorHit[] | null> {
    if (this.state().state !== 'ready') return null;
    const { modelId, vector } = await this.embedQueryWithModel(text);
    return vectorSearch(this.deps.db, vector, { ...opts, modelId });
  }

  /** The settings as last read (active / target / retired models). */
  modelsInUse(): ModelsInUse | null {
    return this.models;
  }

  /** Models that can embed now, active first: the worker fills both during a switch. */
  readyModels(): ReadyModel[] {
    const ids = [this.models?.active.id, this.models?.target?.id].filter((x): x is string => Boolean(x));
    return ids.flatMap((id) => {
      const slot = this.slots.get(id);
      return slot?.embedder ? [{ spec: slot.embedder.spec, embedder: slot.embedder }] : [];
    });
  }

  /** Called with a model id whenever a model becomes ready (the worker backfills then). */
  onModelReady(listener: (modelId: string) => void): void {
    this.readyListeners.push(listener);
  }

  /** Re-reads the settings and (re)tries loading what is in use. Runs on a timer; callable directly. */
  refresh(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    this.refreshing ??= (async () => {
      try {
        const models = await readModelsInUse(this.deps.db);
        if (models) this.models = models;
        this.ensureSlots();
        await this.unloadUnused();
      } catch (err) {
        this.deps.log.warn({ err: safeErrorMessage(err) }, 'embedding settings refresh failed');
      } finally {
        this.refreshing = undefined;
      }
    })();
    return this.refreshing;
  }

  /** Loads every model in use that is not loaded (respecting the retry interval). Returns when attempts finish. */
  async loadModels(): Promise<void> {
    this.ensureSlots(true);
    await Promise.allSettled([...this.slots.values()].map((s) => s.loading));
  }

  private slotState(id: string, specDims?: number): Omit<ModelState, 'switchingTo'> {
    const slot = this.slots.get(id);
    if (!slot) return { id, dims: specDims ?? null, state: 'loading' };
    const dims = slot.embedder?.dims ?? slot.spec.dims ?? specDims ?? null;
    return slot.reason ? { id, dims, state: slot.state, reason: slot.reason } : { id, dims, state: slot.state };
  }

  private ensureSlots(force = false) {
    if (this.stopped || !this.models) return;
    const wanted = [this.models.active, this.models.target].filter((x): x is ModelsInUse['active'] => Boolean(x));
    for (const spec of wanted) {
      let slot = this.slots.get(spec.id);
      if (!slot) {
        slot = { spec, state: 'loading', nextAttemptAt: 0 };
        this.slots.set(spec.id, slot);
      }
      if (slot.embedder || slot.loading) continue;
      if (!force && Date.now() < slot.nextAttemptAt) continue;
      if (slot.nextAttemptAt === Infinity) continue;
      this.startLoading(slot);
    }
  }

  private startLoading(slot: Slot) {
    const { config, log } = this.deps;
    // Only the configured model may use ZHIDA_MODEL_DIR; another model (a retired or switched-from
    // one) comes from the models path or the hub.
    const modelConfig = slot.spec.id === config.model.id ? config.model : { ...config.model, dir: undefined };
    if (slot.state !== 'unavailable') slot.state = 'loading';
    const loading = (async () => {
      try {
        const source = locateModel(modelConfig, slot.spec);
        const started = performance.now();
        const embedder = await Embedder.load(slot.spec, source);
        if (this.stopped) {
          await embedder.dispose();
          return null;
        }
        slot.embedder = embedder;
        slot.state = 'ready';
        slot.reason = undefined;
        log.info({ model: slot.spec.id, dims: embedder.dims, from: source.where, ms: Math.round(performance.now() - started) }, 'embedding model ready');
        for (const listener of this.readyListeners) listener(slot.spec.id);
        return embedder;
      } catch (err) {
        slot.state = 'unavailable';
        slot.reason = err instanceof ModelUnavailableError ? err.message : loadFailureReason(slot.spec.id, modelConfig, err);
        slot.nextAttemptAt = Date.now() + config.model.checkSeconds * 1000;
        log.warn({ model: slot.spec.id, reason: slot.reason }, 'embedding model unavailable; search runs keyword-only');
        return null;
      }
    })();
    // Cleared after assignment: the body above may settle synchronously (model not found).
    slot.loading = loading;
    void loading.finally(() => {
      if (slot.loading === loading) slot.loading = undefined;
    });
  }

  private async unloadUnused() {
    const keep = new Set([this.models?.active.id, this.models?.target?.id, ...(this.models?.retired ?? []).map((r) => r.id)]);
    for (const [id, slot] of this.slots) {
      if (keep.has(id) || slot.loading) continue;
      this.slots.delete(id);
      await slot.embedder?.dispose().catch(() => {});
    }
  }
}

function loadFailureReason(id: string, model: Config['model'], err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const network = /fetch failed|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|network|Could not locate file|Forbidden|Unauthorized/i.test(message);
  if (network) {
    return (
      `Embedding model ${id} could not be downloaded from ${model.hubUrl ?? 'the Hugging Face hub'} (${message}). Search runs keyword-only. ` +
      `Set ZHIDA_MODEL_DIR to a local copy (transformers.js layout), set ZHIDA_HUB_URL to a reachable mirror, or run \`zhida model pull ${id}\` ` +
      `where the hub is reachable and copy ${model.modelsPath}/${id} here; set ZHIDA_OFFLINE=1 to stop download attempts.`
    );
  }
  return `Embedding model ${id} failed to load (${message}). Search runs keyword-only. Check the model files (transformers.js layout) or choose another model with ZHIDA_MODEL.`;
}
