import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { pathToFileURL } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { appBuildDir } from './app-build.ts';

type NodeHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

/** Loads the SvelteKit adapter-node handler from the app build, if there is one. */
async function loadAppHandler(): Promise<NodeHandler | null> {
  const file = `${appBuildDir}/handler.js`;
  if (!existsSync(file)) return null;
  const mod = (await import(pathToFileURL(file).href)) as { handler: NodeHandler };
  return mod.handler;
}

const API_PATHS = /^\/(api(\/|$)|healthz$|readyz$|metrics$)/;
// The agent assist panel is the one page other sites may frame (the agent's workbench).
const EMBEDDABLE_PATHS = /^\/assist(\/|$)/;

export interface HttpServerOptions {
  /** CSP source list of the pages allowed to frame /assist (ZHIDA_FRAME_ANCESTORS); default 'self'. */
  frameAncestors?: string;
}

/**
 * One Node server for everything: /api, /healthz, /readyz and /metrics go to Hono, every other path to the
 * SvelteKit app. Without an app build, non-API paths answer 503 with a hint.
 */
export async function createHttpServer(api: Hono<any>, options: HttpServerOptions = {}): Promise<Server> {
  const apiListener = getRequestListener(api.fetch);
  const appHandler = await loadAppHandler();
  // A source list only: a ';' or line break in the setting must not smuggle in other CSP directives.
  const embedAncestors = (options.frameAncestors ?? "'self'").replace(/[;\r\n,]+/g, ' ').trim() || "'self'";
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (API_PATHS.test(path)) return void apiListener(req, res);
    if (appHandler) {
      // Clickjacking guard: only /assist may be framed, and only by the configured origins. The
      // app's own policy (script-src with a nonce, default-src 'self'... see app/svelte.config.js)
      // gets the directive appended; responses without one (assets) get it alone.
      const embeddable = EMBEDDABLE_PATHS.test(path);
      const frameAncestors = `frame-ancestors ${embeddable ? embedAncestors : "'self'"}`;
      res.setHeader('Content-Security-Policy', frameAncestors);
      const setHeader = res.setHeader.bind(res);
      res.setHeader = (name: string, value: number | string | readonly string[]) =>
        name.toLowerCase() === 'content-security-policy' ? setHeader(name, `${String(value).replace(/;?\s*$/, '')}; ${frameAncestors}`) : setHeader(name, value);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      // /assist?key=… and /chat?key=… must not pass their key on in Referer headers.
      res.setHeader('Referrer-Policy', 'no-referrer');
      return appHandler(req, res, () => {
        res.statusCode = 404;
        res.end('Not found');
      });
    }
    res.statusCode = 503;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end('The editor app is not built. Run `npm run build:app` (npm start does this automatically).');
  });
  server.on('clientError', answerClientError);
  return server;
}

/**
 * Requests Node's HTTP parser refuses before any handler runs (a URL or headers over 16 KB, a
 * malformed request line) still get the API's error shape instead of an empty body.
 */
function answerClientError(err: Error & { code?: string }, socket: import('node:stream').Duplex): void {
  if (!socket.writable || (socket as { _httpMessage?: unknown })._httpMessage) return void socket.destroy();
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
  const body = JSON.stringify({ error: tooLarge ? { code: 'headers_too_large', message: 'The URL or headers exceed 16 KB' } : { code: 'bad_request', message: 'Malformed HTTP request' } });
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}
