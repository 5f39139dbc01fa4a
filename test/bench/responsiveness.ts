/**
 * `npm run bench:responsive [-- --count 10000 --modes thread,inprocess]`
 *
 * Does the server stay responsive while the embedded database works hard? For each mode (PGlite on
 * its own worker thread, the default; PGlite on the HTTP thread, the old way) it starts the real
 * server on a fresh data directory, then imports `count` generated answers with bodies through
 * `POST /api/v1/import?publish=true` and the approval of that import batch by a second reviewer
 * (`POST /api/v1/import-batches/{id}/approve`, which publishes and indexes) while three probes run one request at a time:
 * `GET /healthz` and `GET /api/docs` (no database) and `POST /api/v1/search` (database). It prints
 * their latencies during the import beside an idle baseline, the import time and the event-loop
 * delay (perf_hooks) — the time the HTTP thread could not run at all.
 * The load generator runs in the same process as the server (as in bench:lifecycle): a blocked
 * event loop delays the probe exactly as it delays every other client.
 */
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { openDatabase } from '../../src/db/client.ts';
import { demoAnswers } from '../../src/demo/answers.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { approveImportBatch } from '../helpers/staff.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const count = Number(args.get('count') ?? 10_000);
const modes = (args.get('modes') ?? 'thread,inprocess').split(',') as ('thread' | 'inprocess')[];

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]! : NaN);
const fmt = (x: number) => (Number.isNaN(x) ? '-' : x.toFixed(x < 10 ? 1 : 0));

const branches = ['浦东', '海淀', '天河', '南山', '西湖', '锦江', '鼓楼', '江北'];
function line(i: number): string {
  const a = demoAnswers[i % demoAnswers.length]!;
  const branch = branches[i % branches.length]!;
  return JSON.stringify({
    externalId: `resp-${i}`,
    title: `${a.title}（${branch}分行 第${i}号）`,
    similarQuestions: [...a.similarQuestions.map((q) => `${q} ${i}`), `${branch}分行${a.title}`],
    body: `${a.body}\n\n本说明适用于${branch}分行，编号 ${i}。`,
    category: a.category,
    tags: [...a.tags, branch],
    channels: a.channels,
  });
}

interface Probe {
  name: string;
  run: (zhida: TestServer) => Promise<Response>;
}
const probes: Probe[] = [
  { name: 'GET /healthz', run: (z) => z.api('/healthz', { token: null }) },
  { name: 'GET /api/docs', run: (z) => z.api('/api/docs', { token: null }) },
  { name: 'POST /api/v1/search', run: (z) => z.api('/api/v1/search', { method: 'POST', json: { query: '信用卡 挂失', limit: 10 } }) },
];

/** Runs each probe in its own sequential loop (a pause of `gapMs` between calls) until `until` settles. */
async function sample(zhida: TestServer, until: Promise<unknown>, gapMs: number) {
  let done = false;
  void until.finally(() => (done = true));
  const times = probes.map(() => [] as number[]);
  let errors = 0;
  await Promise.all(
    probes.map(async (probe, i) => {
      while (!done) {
        const t0 = performance.now();
        try {
          const res = await probe.run(zhida);
          await res.arrayBuffer();
          if (!res.ok) errors++;
          times[i]!.push(performance.now() - t0);
        } catch {
          errors++; // a reset connection: counted, not timed
        }
        await delay(gapMs);
      }
    }),
  );
  return { times, errors };
}

const out: string[] = [];
out.push(`| database | phase | probe | n | p50 ms | p95 ms | p99 ms | max ms |`);
out.push(`|---|---|---|---|---|---|---|---|`);
const summary: string[] = [];

for (const mode of modes) {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'zhida-resp-'));
  const database = await openDatabase({ dataDir, thread: mode === 'thread' });
  const zhida = await startTestServer({ ZHIDA_LOG_LEVEL: 'silent', ZHIDA_RATE_LIMIT_PER_MIN: '10000000', ZHIDA_MAX_BODY_BYTES: String(200 * 1024 * 1024) }, database);
  const label = mode === 'thread' ? 'PGlite worker thread' : 'PGlite on HTTP thread';
  try {
    // A few answers so the search probe finds something from the start.
    const seed = Array.from({ length: 50 }, (_, i) => line(count + i)).join('\n') + '\n';
    const seeded = await zhida.api('/api/v1/import?publish=true', { method: 'POST', body: seed, headers: { 'content-type': 'application/x-ndjson' } });
    if (!seeded.ok) throw new Error(`seed import failed: ${seeded.status} ${await seeded.text()}`);
    await approveImportBatch(zhida, ((await seeded.json()) as { batchId?: string }).batchId);

    const idle = await sample(zhida, delay(3_000), 20);
    probes.forEach((p, i) => out.push(`| ${label} | idle | ${p.name} | ${idle.times[i]!.length} | ${fmt(pct(idle.times[i]!, 50))} | ${fmt(pct(idle.times[i]!, 95))} | ${fmt(pct(idle.times[i]!, 99))} | ${fmt(Math.max(...idle.times[i]!))} |`));

    const body = Array.from({ length: count }, (_, i) => line(i)).join('\n') + '\n';
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const t0 = performance.now();
    const importing = zhida
      .api('/api/v1/import?publish=true', { method: 'POST', body, headers: { 'content-type': 'application/x-ndjson' } })
      .then(async (res) => ({ status: res.status, json: (await res.json()) as { created?: number; errors?: unknown[]; batchId?: string } }))
      // publish=true stages an import batch; the second reviewer's approval publishes (and indexes) it.
      .then(async (r) => (r.status === 200 ? (await approveImportBatch(zhida, r.json.batchId), r) : r));
    const during = await sample(zhida, importing, 20);
    const imported = await importing;
    const importSeconds = (performance.now() - t0) / 1000;
    loop.disable();
    if (imported.status !== 200 || imported.json.created !== count) throw new Error(`import: ${imported.status} ${JSON.stringify(imported.json).slice(0, 300)}`);
    probes.forEach((p, i) => out.push(`| ${label} | during import | ${p.name} | ${during.times[i]!.length} | ${fmt(pct(during.times[i]!, 50))} | ${fmt(pct(during.times[i]!, 95))} | ${fmt(pct(during.times[i]!, 99))} | ${fmt(Math.max(...during.times[i]!))} |`));
    summary.push(
      `${label}: import of ${count} answers ${importSeconds.toFixed(0)} s; event-loop delay during it p50 ${fmt(loop.percentile(50) / 1e6)} ms, p99 ${fmt(loop.percentile(99) / 1e6)} ms, max ${fmt(loop.max / 1e6)} ms; probe errors ${idle.errors + during.errors}`,
    );
    console.log(out.at(-3) + '\n' + out.at(-2) + '\n' + out.at(-1)); // progress while it runs
  } finally {
    await zhida.stop();
  }
}

console.log(`\nResponsiveness during a ${count}-answer import through the API (probes one request at a time, 20 ms apart)\n`);
console.log(out.join('\n'));
console.log('\n' + summary.join('\n'));
console.log(`(machine load average ${loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).cpus().length} cores)`);
