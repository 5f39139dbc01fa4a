import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { DataDirLockedError, openDatabase } from '../../src/db/client.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const TOKEN = 'restart-test-master-token-0123456789';

/** A pid that certainly belonged to a process on this host and no longer does. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(child.stdout);
}

/** Leaves a lock behind as a crashed holder would: the lock directory, fresh, and its owner record. */
function leaveLock(dataDir: string, owner: { pid: number; host: string }) {
  const dir = path.join(dataDir, 'pg');
  mkdirSync(`${dir}.lock`, { recursive: true });
  writeFileSync(`${dir}.lock-owner.json`, JSON.stringify({ ...owner, lockedAt: new Date().toISOString() }));
}

describe('data directory lock after a crash', () => {
  it('takes over at once a fresh lock whose holder no longer runs on this host', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'zhida-lock-'));
    leaveLock(dataDir, { pid: deadPid(), host: hostname() });
    const database = await openDatabase({ dataDir, thread: false });
    await database.close();
  });

  it('still refuses a lock held by a live process, or by a process on another host', async () => {
    const live = mkdtempSync(path.join(tmpdir(), 'zhida-lock-'));
    leaveLock(live, { pid: process.ppid, host: hostname() });
    await expect(openDatabase({ dataDir: live, thread: false })).rejects.toBeInstanceOf(DataDirLockedError);
    const remote = mkdtempSync(path.join(tmpdir(), 'zhida-lock-'));
    leaveLock(remote, { pid: deadPid(), host: `not-${hostname()}` });
    await expect(openDatabase({ dataDir: remote, thread: false })).rejects.toThrow(/in use by another Zhida process \(pid \d+ on not-/);
  });
});

describe('server restart right after kill -9', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  /** Starts `npm start`'s entry point (src/main.ts) as its own process; resolves with its URL once it listens. */
  function startServer(dataDir: string): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
      cwd: root,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        ZHIDA_DATA_DIR: dataDir,
        ZHIDA_ADMIN_TOKEN: TOKEN,
        ZHIDA_DEMO: '0',
        ZHIDA_EMBED_WORKER: '0',
        ZHIDA_SKIP_APP_BUILD: '1',
        ZHIDA_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    return new Promise((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const url = /running at (http:\/\/\S+)/.exec(output)?.[1];
        if (url) resolve({ child, url });
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      child.once('exit', (code, signal) => reject(new Error(`server exited (${code ?? signal}) before listening:\n${output}`)));
    });
  }

  const api = (url: string, pathname: string, init: RequestInit = {}) =>
    fetch(new URL(pathname, url), { ...init, headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...init.headers } });

  it('starts again immediately on the same data directory, with the data written before the crash', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'zhida-crash-'));
    const first = await startServer(dataDir);
    const created = await api(first.url, '/api/v1/import?publish=true', {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson' },
      body: JSON.stringify({ externalId: 'before-crash', title: '挂失银行卡', similarQuestions: [], body: '拨打客服电话挂失。', category: '卡片', tags: [], channels: ['bot'] }) + '\n',
    });
    expect(created.status).toBe(200);
    const staged = (await created.json()) as { created: number; batchId: string };
    expect(staged).toMatchObject({ created: 1 });
    // publish=true stages an import batch: a second reviewer (a person, signed in) publishes it.
    const email = 'restart.reviewer@bank.test';
    const password = 'restart-reviewer-password';
    expect((await api(first.url, '/api/v1/users', { method: 'POST', body: JSON.stringify({ name: 'restart reviewer', email, password, role: 'reviewer' }) })).status).toBe(201);
    const login = await fetch(new URL('/api/v1/auth/login', first.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
    const cookie = /zhida_session=[^;]+/.exec(login.headers.getSetCookie().join(';'))![0];
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const approved = await fetch(new URL(`/api/v1/import-batches/${staged.batchId}/approve`, first.url), {
      method: 'POST',
      headers: { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(approved.status).toBe(200);

    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;

    // No waiting for the lock to go stale: the restart must find the holder gone and take over.
    const second = await startServer(dataDir);
    const search = await api(second.url, '/api/v1/search', { method: 'POST', body: JSON.stringify({ query: '挂失银行卡' }) });
    expect(search.status).toBe(200);
    const { results } = (await search.json()) as { results: { externalId: string }[] };
    expect(results.map((r) => r.externalId)).toContain('before-crash');

    // And a second server beside a running one is still refused.
    await expect(startServer(dataDir)).rejects.toThrow(/in use by another Zhida process/);
  }, 240_000);
});
