import { z } from 'zod';
import { parseProxyTrust, type ProxyTrust } from './auth/client-ip.ts';

/** Reads a boolean-ish env value: 1/0, true/false, yes/no. */
const flag = (fallback: boolean) =>
  z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? fallback : ['1', 'true', 'yes'].includes(v)));

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
    .optional(),
  ZHIDA_DATA_DIR: z.string().min(1).default('./data'),
  ZHIDA_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Unset: the demo is on for the embedded database only; with DATABASE_URL it needs ZHIDA_DEMO=1.
  ZHIDA_DEMO: z
    .enum(['1', '0', 'true', 'false', 'yes', 'no', ''])
    .optional()
    .transform((v) => (v === undefined || v === '' ? undefined : ['1', 'true', 'yes'].includes(v))),
  ZHIDA_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ZHIDA_SESSION_HOURS: z.coerce.number().positive().max(24 * 30).default(12),
  ZHIDA_RATE_LIMIT_PER_MIN: z.coerce.number().int().positive().default(600),
  ZHIDA_MAX_BODY_BYTES: z.coerce.number().int().positive().default(20 * 1024 * 1024),
  ZHIDA_MODEL: z.string().min(1).default('Xenova/bge-small-zh-v1.5'),
  ZHIDA_MODEL_DIR: z.string().min(1).optional(),
  ZHIDA_MODELS_PATH: z.string().min(1).optional(),
  ZHIDA_HUB_URL: z.string().url().optional(),
  ZHIDA_OFFLINE: flag(false),
  // Explicit settings for a model id the registry (src/embedding/registry.ts) does not know.
  ZHIDA_MODEL_DIMS: z.coerce.number().int().min(2).max(16000).optional(),
  ZHIDA_MODEL_POOLING: z.enum(['cls', 'mean']).optional(),
  ZHIDA_MODEL_MAX_TOKENS: z.coerce.number().int().min(16).max(8192).optional(),
  ZHIDA_MODEL_QUERY_PREFIX: z.string().optional(),
  ZHIDA_MODEL_PASSAGE_PREFIX: z.string().optional(),
  ZHIDA_MODEL_QUANTIZED: z.enum(['1', '0', 'true', 'false', 'yes', 'no']).optional().transform((v) => (v === undefined ? undefined : ['1', 'true', 'yes'].includes(v))),
  ZHIDA_MODEL_CHECK_SECONDS: z.coerce.number().int().min(1).default(60),
  ZHIDA_EMBED_WORKER: flag(true),
  ZHIDA_FRAME_ANCESTORS: z.string().default("'self'"),
  ZHIDA_HANDOFF_THRESHOLD: z.coerce.number().min(0).max(1).optional(),
  ZHIDA_SECURE_COOKIES: flag(false),
  ZHIDA_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  ZHIDA_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  ZHIDA_METRICS_HOST: z.string().min(1).default('127.0.0.1'),
  // Reverse proxies whose X-Forwarded-For is believed: addresses/CIDRs, comma-separated; default none.
  // A dotenv file whose values override the environment, read at start and again on SIGHUP or
  // POST /api/v1/admin/reload (only the settings in reloadableSettings take effect without a restart).
  ZHIDA_ENV_FILE: z.string().min(1).optional(),
  ZHIDA_TRUST_PROXY: z
    .string()
    .default('')
    .superRefine((v, ctx) => {
      try {
        parseProxyTrust(v);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    }),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config {
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  adminToken?: string;
  /**
   * Seed the demo (users and answers) on an empty database. Default: on for the embedded database,
   * off with DATABASE_URL (a real server is presumably production) unless ZHIDA_DEMO=1 says so.
   */
  demo: boolean;
  logLevel: RawConfig['ZHIDA_LOG_LEVEL'];
  sessionHours: number;
  rateLimitPerMin: number;
  maxBodyBytes: number;
  model: {
    id: string;
    dir?: string;
    modelsPath: string;
    hubUrl?: string;
    offline: boolean;
    /** Overrides for the registry entry (required for ids the registry does not know). */
    custom: { dims?: number; pooling?: 'cls' | 'mean'; maxTokens?: number; queryPrefix?: string; passagePrefix?: string; quantized?: boolean };
    /** How often an unavailable model is looked for again (a model dropped in later is picked up). */
    checkSeconds: number;
  };
  embedWorker: boolean;
  frameAncestors: string;
  handoffThreshold?: number;
  secureCookies: boolean;
  /**
   * Prometheus /metrics: on the main port only with `token` (Bearer); on a separate listener when
   * `port` is set (bound to `host`, 127.0.0.1 by default; the token is required there too when set).
   */
  metrics: { token?: string; port?: number; host: string };
  /** Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (ZHIDA_TRUST_PROXY). */
  trustProxy: ProxyTrust;
  /** ZHIDA_ENV_FILE: read at start and on reload (src/config-reload.ts). */
  envFile?: string;
}

export class ConfigError extends Error {}

/** Checks one variable against its rule; the message names the variable and never echoes a secret. */
export function parseSetting(name: keyof RawConfig, value: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const r = configSchema.shape[name].safeParse(value);
  return r.success ? { ok: true, value: r.data } : { ok: false, message: `${name}: ${r.error.issues[0]?.message ?? 'invalid'}` };
}

/** A connection string as it may be printed: the password (and a user's secret) replaced by ***. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    for (const key of [...u.searchParams.keys()]) if (/pass|secret|token|key/i.test(key)) u.searchParams.set(key, '***');
    return u.toString();
  } catch {
    // Not parseable: cut anything between '//' and '@' (user:password).
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

const SECRET_VARIABLE = /TOKEN|SECRET|PASSWORD|PASS$|KEY/i;

/** What a config error may say about a bad value: never a secret, a connection string masked. */
function shownValue(name: string, value: string | undefined): string {
  if (value === undefined) return 'not set';
  if (SECRET_VARIABLE.test(name)) return 'value not shown';
  if (name === 'DATABASE_URL') return `got ${JSON.stringify(maskUrl(value))}`;
  return `got ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value)}`;
}

/** Turns the environment into a typed config; throws ConfigError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message} (${shownValue(String(i.path[0]), env[String(i.path[0])])})`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    databaseUrl: e.DATABASE_URL,
    dataDir: e.ZHIDA_DATA_DIR,
    adminToken: e.ZHIDA_ADMIN_TOKEN,
    demo: e.ZHIDA_DEMO ?? !e.DATABASE_URL,
    logLevel: e.ZHIDA_LOG_LEVEL,
    sessionHours: e.ZHIDA_SESSION_HOURS,
    rateLimitPerMin: e.ZHIDA_RATE_LIMIT_PER_MIN,
    maxBodyBytes: e.ZHIDA_MAX_BODY_BYTES,
    model: {
      id: e.ZHIDA_MODEL,
      dir: e.ZHIDA_MODEL_DIR,
      modelsPath: e.ZHIDA_MODELS_PATH ?? `${e.ZHIDA_DATA_DIR}/models`,
      hubUrl: e.ZHIDA_HUB_URL,
      offline: e.ZHIDA_OFFLINE,
      custom: {
        dims: e.ZHIDA_MODEL_DIMS,
        pooling: e.ZHIDA_MODEL_POOLING,
        maxTokens: e.ZHIDA_MODEL_MAX_TOKENS,
        queryPrefix: e.ZHIDA_MODEL_QUERY_PREFIX,
        passagePrefix: e.ZHIDA_MODEL_PASSAGE_PREFIX,
        quantized: e.ZHIDA_MODEL_QUANTIZED,
      },
      checkSeconds: e.ZHIDA_MODEL_CHECK_SECONDS,
    },
    embedWorker: e.ZHIDA_EMBED_WORKER,
    frameAncestors: e.ZHIDA_FRAME_ANCESTORS,
    handoffThreshold: e.ZHIDA_HANDOFF_THRESHOLD,
    secureCookies: e.ZHIDA_SECURE_COOKIES,
    metrics: { token: e.ZHIDA_METRICS_TOKEN, port: e.ZHIDA_METRICS_PORT, host: e.ZHIDA_METRICS_HOST },
    trustProxy: parseProxyTrust(e.ZHIDA_TRUST_PROXY),
    envFile: e.ZHIDA_ENV_FILE,
  };
}
