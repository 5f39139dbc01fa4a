import { defineConfig } from 'vitest/config';

// Browser suites: real Chromium (Debian's /usr/bin/chromium) through playwright-core.
export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 1,
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});
