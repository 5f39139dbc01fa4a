// Converts import bodies (Markdown/HTML -> editor JSON, sanitised HTML, text) off the main thread for
// src/answers/rich-text-pool.ts. Plain JS with its own TypeScript loader (tsx), so it starts the same
// under `npm start`, the CLI and the test runner.
import { parentPort } from 'node:worker_threads';
import { tsImport } from 'tsx/esm/api';

const { richBodyFromMarkdownOrHtml } = await tsImport('./rich-text.ts', import.meta.url);

parentPort.on('message', ({ id, sources }) => {
  try {
    parentPort.postMessage({ id, bodies: sources.map((s) => richBodyFromMarkdownOrHtml(s)) });
  } catch (err) {
    parentPort.postMessage({ id, error: String(err?.message ?? err) });
  }
});
parentPort.postMessage({ ready: true });
