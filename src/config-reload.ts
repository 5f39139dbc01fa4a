import { readFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import { conflict, unprocessable } from './errors.ts';
import { ConfigError, parseSetting, type Config, type RawConfig } from './config.ts';
import { recordAudit, type AuditActor } from './audit/record.ts';
import type { Db } from './db/client.ts';
import type { Logger } from './logger.ts';

/**
 * The settings an operator may change on a running node (SIGHUP or POST /api/v1/admin/reload): each is
 * read per request or per log call, so the new value applies to the next one. Everything else (port,
 * database, data dir, model, keys, cookies, proxy trust) needs a restart.
 */
const reloadable = {
  ZHIDA_LOG_LEVEL: 'logLevel',
  ZHIDA_RATE_LIMIT_PER_MIN: 'rateLimitPerMin',
  ZHIDA_HANDOFF_THRESHOLD: 'handoffThreshold',
} as const satisfies Partial<Record<keyof RawConfig, keyof Config>>;

type ReloadableVar = keyof typeof reloadable;

export interface ReloadResult {
  /** Settings whose value changed, old -> new. */
  changed: Partial<Record<ReloadableVar, { from: unknown; to: unknown }>>;
  /** Variables in the file that only take effect after a restart. */
  needsRestart: string[];
}

/** The values of ZHIDA_ENV_FILE (dotenv syntax); empty when none is configured. */
export function readEnvFile(file: string | undefined): Record<string, string> {
  if (!file) return {};
  try {
    return parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    throw new ConfigError(`ZHIDA_ENV_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}

/**
 * Re-reads ZHIDA_ENV_FILE and applies the reloadable settings it holds to the running config and
 * logger. All or nothing: one invalid value throws (unprocessable, naming it) and changes nothing.
 */
export function reloadSettings(config: Config, log: Logger): ReloadResult {
  if (!config.envFile) throw conflict('ZHIDA_ENV_FILE is not set: there is no file to reload settings from');
  const vars = readEnvFile(config.envFile);
  const next: Partial<Record<ReloadableVar, unknown>> = {};
  const errors: { path: string; message: string }[] = [];
  for (const name of Object.keys(reloadable) as ReloadableVar[]) {
    if (vars[name] === undefined) continue;
    const parsed = parseSetting(name, vars[name]);
    if (parsed.ok) next[name] = parsed.value;
    else errors.push({ path: name, message: parsed.message });
  }
  if (errors.length) throw unprocessable(`Invalid settings in ZHIDA_ENV_FILE, nothing changed: ${errors.map((e) => e.message).join('; ')}`, errors);

  const changed: ReloadResult['changed'] = {};
  for (const [name, value] of Object.entries(next) as [ReloadableVar, unknown][]) {
    const key = reloadable[name];
    if (config[key] === value) continue;
    changed[name] = { from: config[key], to: value };
    (config as unknown as Record<string, unknown>)[key] = value;
  }
  if (changed.ZHIDA_LOG_LEVEL) log.level = config.logLevel;
  const needsRestart = Object.keys(vars).filter((k) => !(k in reloadable) && (k.startsWith('ZHIDA_') || ['PORT', 'HOST', 'DATABASE_URL'].includes(k)));
  return { changed, needsRestart };
}

/** reloadSettings for an operator's call, recorded in the audit trail (what changed, what needs a restart). */
export async function reloadSettingsAudited(deps: { config: Config; log: Logger; db: Db }, actor: AuditActor): Promise<ReloadResult> {
  const result = reloadSettings(deps.config, deps.log);
  await deps.db.transaction(async (tx) => recordAudit(tx, actor, { action: 'config.reloaded', entityType: 'config', details: { ...result } }));
  return result;
}
