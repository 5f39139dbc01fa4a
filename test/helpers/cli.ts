import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const repo = new URL('../..', import.meta.url).pathname;
const tsx = path.join(repo, 'node_modules/.bin/tsx');

/** Each CLI run starts tsx and PGlite in a child process: tens of seconds on a loaded 2-core machine. */
export const CLI_TIMEOUT = 300_000;

/** Runs `zhida <args>` (src/cli/main.ts) in a child process, as an operator would; never throws. */
export async function zhida(args: string[], env: Record<string, string>, timeout = CLI_TIMEOUT): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await run(tsx, [path.join(repo, 'src/cli/main.ts'), ...args], { env: { ...process.env, ZHIDA_LOG_LEVEL: 'silent', ...env }, timeout });
    return { code: 0, out: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: (e.stdout ?? '') + (e.stderr ?? '') };
  }
}
