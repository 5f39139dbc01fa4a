import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { richBodyFromMarkdownOrHtml, type RichBody } from './rich-text.ts';

// Converting a body (Markdown -> HTML -> editor JSON -> sanitised HTML -> text) costs 2-3 ms of CPU:
// 100k answers would be minutes on the thread that serves HTTP. Large imports convert on worker
// threads instead; small ones (an editor's single answer, a short file) stay inline.
const MIN_FOR_POOL = 64;
const IDLE_MS = 30_000;
const size = Math.max(1, Math.min(4, availableParallelism() - 1));

interface PoolWorker {
  worker: Worker;
  ready: Promise<void>;
}

let workers: PoolWorker[] | undefined;
let disabled = process.env.ZHIDA_IMPORT_THREADS === '0';
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;
let convertedOnThreads = 0;

/** How many bodies the threads converted since start (tests, diagnostics). */
export function conversionPoolStats(): { threads: number; disabled: boolean; convertedOnThreads: number } {
  return { threads: workers?.length ?? 0, disabled, convertedOnThreads };
}

function startWorker(): PoolWorker {
  const worker = new Worker(new URL('./rich-text-worker.mjs', import.meta.url), { execArgv: [] });
  worker.unref();
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (m: { ready?: boolean }) => {
      if (!m.ready) return;
      worker.off('message', onMessage);
      resolve();
    };
    worker.on('message', onMessage);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`conversion worker exited (${code})`)));
  });
  ready.catch(() => {});
  return { worker, ready };
}

function pool(): PoolWorker[] {
  if (idleTimer) clearTimeout(idleTimer);
  idleTimer = setTimeout(stopConversionPool, IDLE_MS);
  idleTimer.unref();
  return (workers ??= Array.from({ length: size }, startWorker));
}

/** Ends the worker threads (they also end themselves after 30 s without work). */
export function stopConversionPool(): void {
  const w = workers;
  workers = undefined;
  for (const p of w ?? []) void p.worker.terminate();
}

function convertOn(p: PoolWorker, sources: string[]): Promise<RichBody[]> {
  const id = nextId++;
  return p.ready.then(
    () =>
      new Promise<RichBody[]>((resolve, reject) => {
        const onExit = (code: number) => fail(new Error(`conversion worker exited (${code})`));
        const fail = (err: Error) => {
          done();
          reject(err);
        };
        const done = () => {
          p.worker.off('message', onMessage);
          p.worker.off('error', fail);
          p.worker.off('exit', onExit);
        };
        const onMessage = (m: { id?: number; bodies?: RichBody[]; error?: string }) => {
          if (m.id !== id) return;
          done();
          if (m.error !== undefined) return reject(new Error(m.error));
          convertedOnThreads += m.bodies!.length;
          resolve(m.bodies!);
        };
        p.worker.on('message', onMessage);
        p.worker.on('error', fail);
        p.worker.on('exit', onExit);
        p.worker.postMessage({ id, sources });
      }),
  );
}

/**
 * Converts import bodies (Markdown or HTML), spread over worker threads when there are many. The
 * result is the same as richBodyFromMarkdownOrHtml on each; a body that fails to convert fails the
 * same way as inline (it is converted again here to throw the same error), and if the threads cannot
 * run at all the conversion happens inline.
 */
export async function convertBodies(sources: readonly string[]): Promise<RichBody[]> {
  if (disabled || sources.length < MIN_FOR_POOL) return sources.map((s) => richBodyFromMarkdownOrHtml(s));
  let ps: PoolWorker[];
  try {
    ps = pool();
  } catch {
    disabled = true;
    return sources.map((s) => richBodyFromMarkdownOrHtml(s));
  }
  const per = Math.ceil(sources.length / ps.length);
  const parts = ps.map((p, i) => ({ p, part: sources.slice(i * per, (i + 1) * per) })).filter((x) => x.part.length);
  const results = await Promise.all(
    parts.map(({ p, part }) =>
      convertOn(p, part).catch((err: Error) => {
        // A thread that cannot start (no worker support, loader trouble) turns the pool off.
        if (/worker exited|Cannot find|ERR_/.test(err.message)) {
          disabled = true;
          stopConversionPool();
        }
        return part.map((s) => richBodyFromMarkdownOrHtml(s));
      }),
    ),
  );
  return results.flat();
}
