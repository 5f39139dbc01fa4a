import { sql } from 'drizzle-orm';
import type { Db } from '../db/client.ts';
import { enqueueAll } from './queue.ts';
import { rowsOf } from '../db/rows.ts';
import type { ModelSpec } from './registry.ts';

export const MODELS_SETTING = 'embedding.models';

/**
 * Which models are in use, shared by every process through the settings table:
 * - active: the model whose vectors answer queries;
 * - target: during a switch, the model being filled in the background (it takes over once every
 *   embeddable version has its vectors);
 * - retired: former active models whose vectors are kept for a grace period, so a query embedded
 *   with the old model just before the switch still finds its vectors; then they are deleted.
 */
export interface ModelsInUse {
  active: ModelSpec;
  target?: ModelSpec & { startedAt: string };
  retired: (ModelSpec & { dims?: number; retiredAt: string })[];
}

export async function readModelsInUse(db: Db): Promise<ModelsInUse | null> {
  const [row] = rowsOf<{ value: ModelsInUse }>(await db.execute(sql`select value from settings where key = ${MODELS_SETTING}`));
  if (!row) return null;
  const value = typeof row.value === 'string' ? (JSON.parse(row.value) as ModelsInUse) : row.value;
  return { ...value, retired: value.retired ?? [] };
}

/** Reads and rewrites the setting under a row lock, so processes starting together agree. */
export async function updateModelsInUse(db: Db, change: (current: ModelsInUse | null) => ModelsInUse | null): Promise<ModelsInUse | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`insert into settings (key, value) values (${MODELS_SETTING}, 'null'::jsonb) on conflict (key) do nothing`);
    const [row] = rowsOf<{ value: ModelsInUse | null }>(await tx.execute(sql`select value from settings where key = ${MODELS_SETTING} for update`));
    const raw = typeof row?.value === 'string' ? (JSON.parse(row.value) as ModelsInUse | null) : (row?.value ?? null);
    const current = raw ? { ...raw, retired: raw.retired ?? [] } : null;
    const next = change(current);
    if (next !== current) {
      await tx.execute(sql`update settings set value = ${JSON.stringify(next)}::jsonb, updated_at = now() where key = ${MODELS_SETTING}`);
    }
    return next;
  });
}

/**
 * Makes `spec` the model in use. The first time it simply becomes active. Later, a different id
 * becomes the switch target: every answer is re-embedded into it in the background while the
 * current model keeps serving, and the worker switches over when it is complete. Asking for the
 * active model again cancels a pending switch. Returns the resulting setting.
 */
export async function requestModel(db: Db, spec: ModelSpec): Promise<{ models: ModelsInUse; switching: boolean }> {
  let startedSwitch = false;
  const models = (await updateModelsInUse(db, (current) => {
    if (!current) return { active: spec, retired: [] };
    if (current.active.id === spec.id) {
      if (!current.target && sameSpec(current.active, spec)) return current;
      return { ...current, active: spec, target: undefined };
    }
    if (current.target?.id === spec.id && sameSpec(current.target, spec)) return current;
    startedSwitch = true;
    return { ...current, target: { ...spec, startedAt: new Date().toISOString() } };
  }))!;
  if (startedSwitch) await enqueueAll(db);
  return { models, switching: Boolean(models.target) };
}

function sameSpec(a: ModelSpec, b: ModelSpec): boolean {
  return (
    a.id === b.id &&
    a.pooling === b.pooling &&
    a.normalize === b.normalize &&
    a.maxTokens === b.maxTokens &&
    a.queryPrefix === b.queryPrefix &&
    a.passagePrefix === b.passagePrefix &&
    a.questionPrefix === b.questionPrefix &&
    a.quantized === b.quantized &&
    a.dims === b.dims
  );
}
