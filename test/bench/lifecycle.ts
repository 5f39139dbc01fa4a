/**
 * `npm run bench:lifecycle [-- --count 10000 --requests 200]`
 *
 * 1. Bulk import: importAnswers of `count` distinct answers generated from the demo answers (every
 *    title, question list and body varied, so no conversion is cached), published, through the real
 *    server's database with its answerChanged hooks (search index) and audit; then the same file
 *    again (all unchanged: skipped by import hash), then with 10% changed.
 * 2. Rich text: our converter (one schema, one reused happy-dom window) against @tiptap/html's
 *    generateJSON + generateHTML (a new window per call) on the same bodies: the ratio.
 * 3. HTTP read routes, p50/p95 over `requests` sequential calls each, against GET /healthz as the
 *    baseline of the same server: GET /answers (page 1; with q), GET /answers/:id, versions, diff.
 */
import { generateHTML, generateJSON } from '@tiptap/html';
import { marked } from 'marked';
import { importAnswers, type ImportRecord } from '../../src/answers/import.ts';
import { richBodyFromMarkdownOrHtml, richTextExtensions, sanitizeBodyHtml } from '../../src/answers/rich-text.ts';
import { demoAnswers } from '../../src/demo/answers.ts';
import { startTestServer } from '../helpers/server.ts';

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const count = Number(args.get('count') ?? 10_000);
const requests = Number(args.get('requests') ?? 200);

const ms = (t0: number) => performance.now() - t0;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
const fmt = (x: number) => x.toFixed(x < 10 ? 2 : 0);

const branches = ['浦东', '海淀', '天河', '南山', '西湖', '锦江', '鼓楼', '江北'];
function record(i: number, variant = 0): ImportRecord {
  const a = demoAnswers[i % demoAnswers.length]!;
  const branch = branches[i % branches.length]!;
  return {
    externalId: `bench-${i}`,
    title: `${a.title}（${branch}分行 第${i}号）`,
    similarQuestions: [...a.similarQuestions.map((q) => `${q} ${i}`), `${branch}分行${a.title}`],
    body: `${a.body}\n\n本说明适用于${branch}分行，编号 ${i}${variant ? `，第${variant}次修订` : ''}。`,
    category: a.category,
    tags: [...a.tags, branch],
    channels: a.channels,
  };
}

const rows: [string, string, string, string][] = [];
const row = (what: string, value: string, unit: string, note = '') => rows.push([what, value, unit, note]);

const zhida = await startTestServer({ ZHIDA_LOG_LEVEL: 'silent' });
try {
  const db = zhida.ctx.db;
  const actor = { kind: 'master' as const };
  const file = Array.from({ length: count }, (_, i) => record(i));

  let t0 = performance.now();
  let last = t0;
  const stats = { hookMs: 0 };
  const first = await importAnswers(db, file, {
    publish: true,
    actor,
    stats,
    onProgress: (done) => {
      if (done % 2000 === 0 && done > 0) {
        process.stderr.write(`  imported ${done}/${count} (${fmt(ms(last) / 1000)} s for the last 2000)\n`);
        last = performance.now();
      }
    },
  });
  const firstMs = ms(t0);
  if (first.created !== count) throw new Error(`expected ${count} created, got ${JSON.stringify({ ...first, errors: first.errors.slice(0, 3) })}`);
  row(`import ${count} new answers (publish)`, fmt(firstMs / 1000), 's', `${fmt(firstMs / count)} ms/answer`);
  row('  of which answerChanged hooks', fmt(stats.hookMs / 1000), 's', 'search index + embedding queue, per answer');
  row('  import without the hooks', fmt((firstMs - stats.hookMs) / 1000), 's', `${fmt((firstMs - stats.hookMs) / count)} ms/answer`);

  t0 = performance.now();
  const again = await importAnswers(db, file, { publish: true, actor });
  const againMs = ms(t0);
  row(`re-import the same ${count} (unchanged)`, fmt(againMs / 1000), 's', `${again.unchanged} unchanged`);

  const changed = file.map((r, i) => (i % 10 === 0 ? record(i, 1) : r));
  t0 = performance.now();
  const third = await importAnswers(db, changed, { publish: true, actor });
  row(`re-import with 10% changed`, fmt(ms(t0) / 1000), 's', `${third.updated} new versions`);

  // Rich text: ours vs @tiptap/html per call.
  const bodies = file.slice(0, 200).map((r) => r.body!);
  t0 = performance.now();
  for (const b of bodies) richBodyFromMarkdownOrHtml(b);
  const ours = ms(t0) / bodies.length;
  t0 = performance.now();
  for (const b of bodies) generateHTML(generateJSON(sanitizeBodyHtml(marked.parse(b, { async: false }) as string), richTextExtensions), richTextExtensions);
  const tiptap = ms(t0) / bodies.length;
  row('rich text per body (ours)', fmt(ours), 'ms', `@tiptap/html: ${fmt(tiptap)} ms (x${fmt(tiptap / ours)})`);

  // One answer with a few versions for the detail/versions/diff routes.
  const list = await (await zhida.api('/api/v1/answers?q=bench-10&pageSize=1')).json();
  const id = list.items[0].id as string;
  let { etag } = await (await zhida.api(`/api/v1/answers/${id}`)).json();
  for (let v = 0; v < 3; v++) {
    etag = (await (await zhida.api(`/api/v1/answers/${id}/draft`, { method: 'PATCH', json: { etag, bodyMarkdown: `${file[10]!.body}\n\n第${v}次修改：营业时间调整为9:00-17:00。` } })).json()).etag;
    etag = (await (await zhida.api(`/api/v1/answers/${id}/submit`, { method: 'POST', json: { etag } })).json()).etag;
    // Four-eyes stops the master key approving what it submitted; rejected versions still make history.
    const res = await zhida.api(`/api/v1/answers/${id}/reject`, { method: 'POST', json: { etag, comment: 'bench' } });
    etag = (await res.json()).etag;
  }
  const detail = await (await zhida.api(`/api/v1/answers/${id}`)).json();
  const numbers = detail.versions.map((v: { number: number }) => v.number);

  const routes: [string, string][] = [
    ['GET /healthz (baseline)', '/healthz'],
    ['GET /answers (page 1, 20)', '/api/v1/answers'],
    ['GET /answers?q= (text filter)', `/api/v1/answers?q=${encodeURIComponent('挂失')}`],
    ['GET /answers?status=published&sort=title', '/api/v1/answers?status=published&sort=title'],
    ['GET /answers/:id', `/api/v1/answers/${id}`],
    ['GET /answers/:id/versions', `/api/v1/answers/${id}/versions`],
    ['GET /answers/:id/diff', `/api/v1/answers/${id}/diff?from=${Math.min(...numbers)}&to=${Math.max(...numbers)}`],
  ];
  let baseline = 0;
  for (const [name, path] of routes) {
    const times: number[] = [];
    for (let i = 0; i < requests + 5; i++) {
      const s = performance.now();
      const res = await zhida.api(path);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${path} -> ${res.status}`);
      if (i >= 5) times.push(ms(s)); // first calls warm up
    }
    const p50 = pct(times, 50);
    if (!baseline) baseline = p50;
    row(name, `${fmt(p50)} / ${fmt(pct(times, 95))}`, 'ms p50/p95', baseline === p50 ? '' : `p50 x${fmt(p50 / baseline)} of baseline`);
  }
} finally {
  await zhida.stop();
}

const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c]!.length), ['what', 'value', 'unit', 'note'][c]!.length));
const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
console.log(`\nZhida answer lifecycle benchmark (${count} answers, ${requests} requests per route, PGlite in-process, ${new Date().toISOString()})\n`);
console.log(line(['what', 'value', 'unit', 'note']));
console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
for (const r of rows) console.log(line(r));
