import { existsSync } from 'node:fs';
import { ensureAppBuilt } from '../../src/app-build.ts';

// Browser suites need the built app and Debian's Chromium (.ci/run installs it).
export default function setup() {
  if (!existsSync(chromiumPath())) throw new Error(`Chromium not found at ${chromiumPath()}: apt-get install -y chromium`);
  ensureAppBuilt((m) => console.log(m));
}

export function chromiumPath() {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}
