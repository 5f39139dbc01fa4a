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

const API_PATHS = /^\/(api(\/|$)|healthz$|readyz$)/;

/**
 * One Node server for everything: /api, /healthz and /readyz go to Hono, every other path to the
 * SvelteKit app. Without an app build, non-API paths answer 503 with a hint.
 */
export async function createHttpServer(api: Hono<any>): Promise<Server> {
  const apiListener = getRequestListener(api.fetch);
  const appHandler = await loadAppHandler();
  return createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    if (API_PATHS.test(path)) return void apiListener(req, res);
    if (appHandler) {
      return appHandler(req, res, () => {
        res.statusCode = 404;
        res.end('Not found');
      });
    }
    res.statusCode = 503;
    res.setHeader('content-type', 'text/plain; charset=utf-8');
    res.end('The editor app is not built. Run `npm run build:app` (npm start does this automatically).');
  });
}
