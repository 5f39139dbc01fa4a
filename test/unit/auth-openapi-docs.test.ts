import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { launchBrowser } from '../e2e/browser.ts';
import { chromiumPath } from '../e2e/global-setup.ts';
import { createStaff } from '../helpers/staff.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('OpenAPI spec, docs page and security headers', () => {
  let zhida: TestServer;
  beforeAll(async () => {
    zhida = await startTestServer();
  });
  afterAll(async () => zhida?.stop());

  it('serves an OpenAPI 3.1 spec publicly, with both security schemes and documented bodies and errors', async () => {
    const res = await zhida.api('/api/openapi.json', { token: null });
    expect(res.status).toBe(200);
    const spec = await res.json();
    expect(spec.openapi).toBe('3.1.0');
    expect(spec.info.title).toBe('知答 Zhida API');
    expect(spec.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(spec.components.securitySchemes.session).toMatchObject({ type: 'apiKey', in: 'cookie', name: 'zhida_session' });
    const login = spec.paths['/api/v1/auth/login'].post;
    expect(login.security).toEqual([]);
    expect(login.requestBody.content['application/json'].schema.required).toEqual(['email', 'password']);
    expect(Object.keys(login.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '429']));
    // Validation failures are documented in the API's own error shape.
    expect(spec.paths['/api/v1/users'].post.responses['400'].content['application/json'].schema.properties.error).toBeDefined();
    expect(spec.paths['/api/v1/users/{id}'].patch.parameters).toEqual(expect.arrayContaining([expect.objectContaining({ in: 'path', name: 'id' })]));
    expect(spec.paths['/api/v1/audit'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['action', 'entityType', 'entityId', 'actorId', 'from', 'to', 'limit', 'before']),
    );
  });

  it('serves the docs page and its assets from this server only', async () => {
    const page = await zhida.api('/api/docs', { token: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    for (const src of [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]!)) {
      expect((await zhida.api(src, { token: null })).status, src).toBe(200);
    }
    expect((await zhida.api('/api/docs/assets/..%2F..%2Fpackage.json', { token: null })).status).toBe(404);
  });

  // CI installs Chromium (.ci/run); a developer's `npm test` without it skips only this check.
  it.skipIf(!existsSync(chromiumPath()))('renders every route in Swagger UI in Chromium without a request to another origin', async () => {
    const spec = await (await zhida.api('/api/openapi.json', { token: null })).json();
    const operations = Object.values(spec.paths as Record<string, object>).reduce((n, ops) => n + Object.keys(ops).length, 0);
    const browser = await launchBrowser();
    try {
      const tab = await browser.newPage();
      const foreign: string[] = [];
      tab.on('request', (r) => {
        if (!r.url().startsWith(zhida.url) && !r.url().startsWith('data:')) foreign.push(r.url());
      });
      await tab.goto(`${zhida.url}/api/docs`);
      await tab.locator('.opblock').first().waitFor({ timeout: 30_000 });
      expect(await tab.locator('.opblock').count()).toBe(operations);
      expect(await tab.locator('.info .title').innerText()).toContain('知答 Zhida API');
      expect(await tab.locator('.opblock-summary-path', { hasText: '/api/v1/auth/login' }).count()).toBe(1);
      expect(foreign).toEqual([]);
    } finally {
      await browser.close();
    }
  }, 120_000);

  it('sets nosniff and Referrer-Policy everywhere in the API and no-store on authenticated responses', async () => {
    const staff = await createStaff(zhida, 'agent');
    const authed = [await staff.api('/api/v1/auth/me'), await zhida.api('/api/v1/search', { method: 'POST', json: { query: '转账' } })];
    for (const res of authed) {
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
    for (const path of ['/api/v1/auth/me', '/api/v1/nope', '/api/nope', '/api/openapi.json', '/healthz']) {
      const res = await zhida.api(path, { token: null });
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      expect(res.headers.get('referrer-policy'), path).toBe('no-referrer');
    }
  });

  it('keeps the /api 404 catch-all working next to the docs routes, in the error shape', async () => {
    for (const path of ['/api/nope', '/api/v1/nope', '/api/docs/nope', '/api/openapi.yaml']) {
      const res = await zhida.api(path, { token: null });
      expect(res.status, path).toBe(404);
      expect((await res.json()).error.code, path).toBe('not_found');
    }
  });

  it('answers every error of the auth routes in the error shape', async () => {
    const staff = await createStaff(zhida, 'editor');
    const cases: [string, Promise<Response>, number][] = [
      ['malformed JSON', zhida.api('/api/v1/auth/login', { method: 'POST', body: '{"email":', headers: { 'content-type': 'application/json' }, token: null }), 400],
      ['no credentials', zhida.api('/api/v1/auth/me', { token: null }), 401],
      ['bad header', zhida.api('/api/v1/users', { token: null, headers: { authorization: 'Basic abc' } }), 401],
      ['csrf', staff.api('/api/v1/api-keys', { method: 'POST', json: { name: 'x', scopes: ['search'] }, csrf: false }), 403],
      ['role', staff.api('/api/v1/users'), 403],
      ['not found', zhida.api('/api/v1/users/7f1d6b0e-0000-4000-8000-000000000000', { method: 'PATCH', json: {} }), 404],
      ['too large', zhida.api('/api/v1/users', { method: 'POST', body: 'x'.repeat(21 * 1024 * 1024), headers: { 'content-type': 'application/json' } }), 413],
    ];
    for (const [name, pending, status] of cases) {
      const res = await pending;
      expect(res.status, name).toBe(status);
      const body = await res.json();
      expect(body.error, name).toMatchObject({ code: expect.any(String), message: expect.any(String) });
      expect(JSON.stringify(body), name).not.toMatch(/at .*\.ts:\d+/);
    }
  });
});
