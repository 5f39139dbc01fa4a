import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import lockfile from 'proper-lockfile';

/**
 * One process per embedded data directory. The lock is proper-lockfile's (an atomic mkdir whose mtime
 * the holder refreshes; a lock not refreshed for 10 s is stale, which covers a holder on another host
 * or a shared disk). Beside it the holder records who it is (pid, host, process start time), so that
 * after a crash (kill -9, OOM) a restart on the same host sees the holder is gone and takes the lock
 * over at once instead of failing for 10 s.
 */

export class DataDirLockedError extends Error {
  constructor(dir: string, owner?: LockOwner) {
    const who = owner ? ` (pid ${owner.pid} on ${owner.host})` : '';
    super(
      `The data directory ${dir} is in use by another Zhida process${who}. ` +
        'Embedded PGlite allows one process per directory: stop the other process, choose another ZHIDA_DATA_DIR, ' +
        'or run several API nodes against a PostgreSQL server with DATABASE_URL.',
    );
  }
}

export interface LockOwner {
  pid: number;
  host: string;
  /** Linux: the process start time in clock ticks since boot (/proc/PID/stat field 22), to tell a reused pid apart. */
  startTime?: string;
  lockedAt: string;
}

/** Directories this process holds: a second open from the same process is refused like any other. */
const heldHere = new Set<string>();

const LOCK_OPTIONS = { stale: 10_000, update: 2_000 } as const;

/**
 * Locks `dir` (lock directory `${dir}.lock`, owner record `${dir}.lock-owner.json`); resolves to the release.
 * `reportDir` is the directory named in the error message.
 */
export async function lockDataDir(dir: string, reportDir = dir): Promise<() => Promise<void>> {
  const lockfilePath = `${dir}.lock`;
  const ownerPath = `${dir}.lock-owner.json`;
  const take = () => lockfile.lock(dir, { ...LOCK_OPTIONS, lockfilePath });
  let release: () => Promise<void>;
  try {
    release = await take();
  } catch (err) {
    if ((err as { code?: string }).code !== 'ELOCKED') throw err;
    const owner = readOwner(ownerPath);
    if (heldHere.has(dir) || !owner || !ownerIsGone(owner)) throw new DataDirLockedError(reportDir, owner);
    // The holder crashed on this host: its lock is ours. (Should two restarts race here, mkdir still
    // admits one of them; the other gets ELOCKED below and a live owner.)
    rmSync(lockfilePath, { recursive: true, force: true });
    try {
      release = await take();
    } catch (again) {
      if ((again as { code?: string }).code === 'ELOCKED') throw new DataDirLockedError(reportDir, readOwner(ownerPath));
      throw again;
    }
  }
  const me: LockOwner = { pid: process.pid, host: hostname(), startTime: processStartTime(process.pid), lockedAt: new Date().toISOString() };
  writeFileSync(ownerPath, JSON.stringify(me));
  heldHere.add(dir);
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    heldHere.delete(dir);
    rmSync(ownerPath, { force: true });
    await release();
  };
}

function readOwner(ownerPath: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(ownerPath, 'utf8')) as LockOwner;
    return Number.isInteger(owner.pid) && typeof owner.host === 'string' ? owner : undefined;
  } catch {
    // No record (a holder that crashed between mkdir and writing it, or an older version): only staleness frees it.
    return undefined;
  }
}

/** True only when we can tell for sure: same host, and no process with that pid (and start time) exists. */
export function ownerIsGone(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return false;
  // Our own pid but not held by us: a previous incarnation (a container restart reuses pid 1).
  if (owner.pid === process.pid) return true;
  try {
    process.kill(owner.pid, 0);
  } catch (err) {
    return (err as { code?: string }).code === 'ESRCH';
  }
  // A process with that pid exists; if it started at another time, the pid was reused.
  const started = processStartTime(owner.pid);
  return owner.startTime !== undefined && started !== undefined && started !== owner.startTime;
}

function processStartTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may hold spaces and parentheses: count fields after its closing parenthesis.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
