import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config.ts';
import type { Database } from '../../src/db/client.ts';
import { createLogger } from '../../src/logger.ts';
import { startZhida, type RunningZhida } from '../../src/start.ts';

export const TEST_ADMIN_TOKEN = 'test-master-token-0123456789abcdef';

export interface TestServer extends RunningZhida {
  /** fetch against the server with the master key unless `token` is given (null = no auth). */
  api(pathname: string, init?: RequestInit & { json?: unknown; token?: string | null }): Promise<Response>;
}

/**
 * Starts the real server (same start-up path as `npm start`) on a random port and a temporary data
 * dir, or on a given database. Env overrides go through the real config parser.
 */
export async function startTestServer(env: Record<string, string> = {}, database?: Database): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'zhida-test-'));
  const config = loadConfig({ PORT: '0', HOST: '127.0.0.1', ZHIDA_DATA_DIR: dataDir, ZHIDA_ADMIN_TOKEN: TEST_ADMIN_TOKEN, ZHIDA_DEMO: '0', ZHIDA_EMBED_WORKER: '0', ...env });
  const running = await startZhida(config, { log: createLogger('silent'), database });
  return Object.assign(running, {
    api(pathname: string, init: RequestInit & { json?: unknown; token?: string | null } = {}) {
      const headers = new Headers(init.headers);
      const token = init.token === undefined ? TEST_ADMIN_TOKEN : init.token;
      if (token) headers.set('authorization', `Bearer ${token}`);
      let body = init.body;
      if (init.json !== undefined) {
        headers.set('content-type', 'application/json');
        body = JSON.stringify(init.json);
      }
      return fetch(new URL(pathname, running.url), { ...init, headers, body });
    },
  });
}
