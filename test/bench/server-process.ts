/**
 * The server under test as its own process, started the way `npm start` starts it (src/main.ts),
 * so the load generator does not share its event loop and its RSS is its own.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

export const BENCH_TOKEN = 'bench-master-token-0123456789abcdef';
const root = path.resolve(new URL('../..', import.meta.url).pathname);

export interface ServerProcess {
  url: string;
  pid: number;
  /** Milliseconds from spawn to /readyz answering 200. */
  readyMs: number;
  /** The last /readyz body seen. */
  ready: Record<string, unknown>;
  rssMb(): number;
  stop(): Promise<void>;
}

export interface ServerOptions {
  dataDir: string;
  databaseUrl?: string;
  env?: Record<string, string>;
  /** Readiness also waits for this on the /readyz body (e.g. the search index caught up). */
  readyWhen?: (body: Record<string, unknown>) => boolean;
  timeoutMs?: number;
}

export function rssMbOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export async function startServerProcess(opts: ServerOptions): Promise<ServerProcess> {
  const started = performance.now();
  const env: NodeJS.ProcessEnv = {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ZHIDA_DATA_DIR: opts.dataDir,
      ZHIDA_ADMIN_TOKEN: BENCH_TOKEN,
      ZHIDA_DEMO: '0',
      ZHIDA_EMBED_WORKER: '0',
      ZHIDA_SKIP_APP_BUILD: '1',
      ZHIDA_LOG_LEVEL: 'warn',
      ZHIDA_RATE_LIMIT_PER_MIN: '100000000',
      ZHIDA_MAX_BODY_BYTES: String(200 * 1024 * 1024),
      ...opts.env,
  };
  if (opts.databaseUrl) env.DATABASE_URL = opts.databaseUrl;
  else delete env.DATABASE_URL;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start in time:\n${output.slice(-3000)}`)), opts.timeoutMs ?? 900_000);
    const onData = (d: Buffer) => {
      output += d.toString();
      if (output.length > 100_000) output = output.slice(-50_000);
      const m = /is running at (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited (${code}) during start:\n${output.slice(-3000)}`));
    });
  });
  // Keep draining its output so the pipe never blocks it.
  child.stdout!.on('data', () => {});
  child.stderr!.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-20_000);
  });
  let ready: Record<string, unknown> = {};
  const deadline = Date.now() + (opts.timeoutMs ?? 900_000);
  for (;;) {
    try {
      const res = await fetch(`${url}/readyz`);
      ready = (await res.json()) as Record<string, unknown>;
      if (res.status === 200 && (!opts.readyWhen || opts.readyWhen(ready))) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server not ready in time: ${JSON.stringify(ready).slice(0, 1000)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  const readyMs = performance.now() - started;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url,
    pid: child.pid!,
    readyMs,
    ready,
    rssMb: () => rssMbOf(child.pid!),
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
