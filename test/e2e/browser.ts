import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { chromiumPath } from './global-setup.ts';

export const screenshotDir = path.resolve('test-results/screenshots');

/** Debian's Chromium with the flags this machine needs (no background network, no sandbox as root). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Saves a screenshot kept as a test artifact and returns its path (printed for the notes). */
export async function keepScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(screenshotDir, { recursive: true });
  const file = path.join(screenshotDir, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`screenshot: ${file}`);
  return file;
}

export const demoUsers = {
  editor: { email: 'editor@zhida.local', password: 'zhida-editor-demo' },
  reviewer: { email: 'reviewer@zhida.local', password: 'zhida-reviewer-demo' },
  admin: { email: 'admin@zhida.local', password: 'zhida-admin-demo' },
  agent: { email: 'agent@zhida.local', password: 'zhida-agent-demo' },
} as const;

/** Signs in through the editor app's login page and waits for the answers list. */
export async function signInAs(page: Page, baseUrl: string, who: keyof typeof demoUsers): Promise<void> {
  const { email, password } = demoUsers[who];
  await page.goto(new URL('/login', baseUrl).href);
  await page.locator('input[name=email]').fill(email);
  await page.locator('input[name=password]').fill(password);
  await page.locator('form.login-form button[type=submit]').click();
  await page.waitForURL(/\/answers/);
  await page.locator('[data-testid=current-user]').waitFor();
}

/** What a page cost to load, from the browser's own performance timing (printed for the notes). */
export async function pageCost(page: Page, name: string) {
  const cost = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    return {
      transferKB: Math.round((nav.transferSize + resources.reduce((s, r) => s + r.transferSize, 0)) / 102.4) / 10,
      decodedKB: Math.round((nav.decodedBodySize + resources.reduce((s, r) => s + r.decodedBodySize, 0)) / 102.4) / 10,
      requests: resources.length + 1,
      domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
      loadMs: Math.round(nav.loadEventEnd),
    };
  });
  console.log(`page-cost ${name}: ${JSON.stringify(cost)}`);
  return cost;
}

/**
 * Runs axe-core (the accessibility engine) in the page and returns the serious and critical
 * violations as "rule: target" lines, so a failing assertion names what to fix.
 */
export async function seriousA11yViolations(page: Page, exclude: string[] = []): Promise<string[]> {
  const { createRequire } = await import('node:module');
  const { readFileSync } = await import('node:fs');
  const source = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated through the DevTools protocol, not as an inline <script>: the app's CSP (nonces) rightly blocks those.
  await page.evaluate(`${source}\n;void 0`);
  const violations = await page.evaluate(async (excluded) => {
    const axe = (window as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: { id: string; impact: string | null; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run({ exclude: excluded.map((s) => [s]) }, { resultTypes: ['violations'] });
    return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
  }, exclude);
  return violations;
}
