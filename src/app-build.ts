import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const appDir = path.join(root, 'app');
export const appBuildDir = path.join(appDir, 'build');

function newestMtime(target: string): number {
  if (!existsSync(target)) return 0;
  const st = statSync(target);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(target)) newest = Math.max(newest, newestMtime(path.join(target, entry)));
  return newest;
}

/** True when app/build is missing or older than any source or config file of the app. */
export function appBuildIsStale(): boolean {
  const built = newestMtime(path.join(appBuildDir, 'handler.js'));
  if (!built) return true;
  const sources = Math.max(
    newestMtime(path.join(appDir, 'src')),
    newestMtime(path.join(appDir, 'svelte.config.js')),
    newestMtime(path.join(appDir, 'vite.config.ts')),
    newestMtime(path.join(root, 'package-lock.json')),
  );
  return sources > built;
}

/** Builds the SvelteKit app when it is missing or stale, so `npm start` is all a newcomer types. */
export function ensureAppBuilt(log: (msg: string) => void): void {
  if (!appBuildIsStale()) return;
  log('Building the editor app (first start or sources changed)…');
  const result = spawnSync(process.execPath, [path.join(root, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], {
    // SvelteKit reads svelte.config.js from the working directory.
    cwd: appDir,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error('Building the editor app failed (see the output above).');
}
