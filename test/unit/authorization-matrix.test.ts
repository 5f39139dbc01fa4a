import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../src/api/app.ts';
import { scopesForRole } from '../../src/auth/principal.ts';
import { apiScopes, roles, type ApiScope, type Role } from '../../src/db/schema/index.ts';
import { createStaff, type StaffSession } from '../helpers/staff.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

/**
 * THE authorization table: every /api/v1 route, who may call it and which API-key scope it needs.
 * Adding a route without a row here fails this suite, so no route ships unguarded or unreviewed.
 * Rows state the product's rules (the contract), not a copy of the code: the test checks the code
 * against them by calling every route as every role, with and without credentials and scopes.
 *
 *   public      no credentials needed (and none checked here)
 *   roles       roles that may call it; all others must get 403
 *   scope       the API-key scope it needs ('any' = any key of an allowed owner)
 *   sessionOnly API keys are refused even with the right scope (a person must be signed in)
 */
type Guard = { public: true } | { roles: readonly Role[]; scope: ApiScope | 'any'; sessionOnly?: true };

const PUBLIC = { public: true } as const;
const ALL: readonly Role[] = ['agent', 'editor', 'reviewer', 'admin'];
const WRITERS: readonly Role[] = ['editor', 'reviewer', 'admin'];
const REVIEWERS: readonly Role[] = ['reviewer', 'admin'];
const ADMINS: readonly Role[] = ['admin'];

const matrix: Record<string, Guard> = {
  // auth (auth engineer)
  'POST /api/v1/auth/login': PUBLIC,
  'POST /api/v1/auth/logout': PUBLIC,
  'GET /api/v1/auth/me': { roles: ALL, scope: 'any' },
  'PATCH /api/v1/auth/me': { roles: ALL, scope: 'any', sessionOnly: true },
  'GET /api/v1/users': { roles: ADMINS, scope: 'admin' },
  'POST /api/v1/users': { roles: ADMINS, scope: 'admin' },
  'PATCH /api/v1/users/:id': { roles: ADMINS, scope: 'admin' },
  // Everyone manages their own keys from a session; a key needs the admin scope to manage keys.
  'GET /api/v1/api-keys': { roles: ALL, scope: 'admin' },
  'POST /api/v1/api-keys': { roles: ALL, scope: 'admin' },
  'DELETE /api/v1/api-keys/:id': { roles: ALL, scope: 'admin' },
  'GET /api/v1/audit': { roles: ADMINS, scope: 'admin' },
  'GET /api/v1/audit/verify': { roles: ADMINS, scope: 'admin' },
  // operations (ops engineer): an online snapshot of the whole database is for admins only.
  'POST /api/v1/backup/snapshot': { roles: ADMINS, scope: 'admin' },
  'POST /api/v1/admin/reload': { roles: ADMINS, scope: 'admin' },
  // search, bot, assist
  'POST /api/v1/search': { roles: ALL, scope: 'search' },
  'GET /api/v1/index/status': { roles: ALL, scope: 'search' },
  'GET /api/v1/bot/sessions/:id': { roles: ALL, scope: 'assist' },
  'GET /api/v1/assist/answers': { roles: ALL, scope: 'assist' },
  'POST /api/v1/bot/answer': { roles: ALL, scope: 'bot' },
  'POST /api/v1/assist/suggest': { roles: ALL, scope: 'assist' },
  'POST /api/v1/feedback': { roles: ALL, scope: 'assist' },
  'POST /api/v1/feedback/click': { roles: ALL, scope: 'assist' },
  // synonym groups: content staff who decide (reviewers, admins)
  'GET /api/v1/synonyms': { roles: REVIEWERS, scope: 'answers' },
  'POST /api/v1/synonyms': { roles: REVIEWERS, scope: 'answers' },
  'PATCH /api/v1/synonyms/:id': { roles: REVIEWERS, scope: 'answers' },
  'DELETE /api/v1/synonyms/:id': { roles: REVIEWERS, scope: 'answers' },
  // analytics and reminders
  'GET /api/v1/analytics/overview': { roles: REVIEWERS, scope: 'answers' },
  'GET /api/v1/analytics/top-queries': { roles: REVIEWERS, scope: 'answers' },
  'GET /api/v1/analytics/gaps': { roles: REVIEWERS, scope: 'answers' },
  'POST /api/v1/analytics/gaps/dismiss': { roles: REVIEWERS, scope: 'answers' },
  'POST /api/v1/analytics/gaps/restore': { roles: REVIEWERS, scope: 'answers' },
  'GET /api/v1/analytics/answers': { roles: REVIEWERS, scope: 'answers' },
  'GET /api/v1/analytics/freshness': { roles: REVIEWERS, scope: 'answers' },
  'GET /api/v1/notifications': { roles: ALL, scope: 'answers' },
  // answers, categories, import/export (lifecycle engineer): agents read, writers draft, reviewers decide
  'POST /api/v1/answers': { roles: WRITERS, scope: 'answers' },
  'GET /api/v1/answers': { roles: ALL, scope: 'answers' },
  'GET /api/v1/answers/:id': { roles: ALL, scope: 'answers' },
  'PATCH /api/v1/answers/:id/draft': { roles: WRITERS, scope: 'answers' },
  'POST /api/v1/answers/:id/submit': { roles: WRITERS, scope: 'answers' },
  // withdraw: writers; the domain further limits it to the version's author/contributors
  'POST /api/v1/answers/:id/withdraw': { roles: WRITERS, scope: 'answers' },
  'POST /api/v1/answers/:id/approve': { roles: REVIEWERS, scope: 'answers' },
  'POST /api/v1/answers/:id/reject': { roles: REVIEWERS, scope: 'answers' },
  'POST /api/v1/answers/:id/archive': { roles: REVIEWERS, scope: 'answers' },
  'POST /api/v1/answers/:id/unarchive': { roles: REVIEWERS, scope: 'answers' },
  'POST /api/v1/answers/:id/restore': { roles: WRITERS, scope: 'answers' },
  'GET /api/v1/answers/:id/versions': { roles: ALL, scope: 'answers' },
  'GET /api/v1/answers/:id/diff': { roles: ALL, scope: 'answers' },
  'GET /api/v1/categories': { roles: ALL, scope: 'answers' },
  'POST /api/v1/categories': { roles: REVIEWERS, scope: 'answers' },
  'DELETE /api/v1/categories/:path{.+}': { roles: ADMINS, scope: 'answers' },
  // publish=true additionally needs reviewer/admin (checked in the handler; see import-export tests)
  'POST /api/v1/import': { roles: WRITERS, scope: 'import' },
  'GET /api/v1/export': { roles: ALL, scope: 'import' },
  // import batches (governance): writers follow their batches, reviewers decide (four-eyes in the domain)
  'GET /api/v1/import-batches': { roles: WRITERS, scope: 'import' },
  'GET /api/v1/import-batches/:id': { roles: WRITERS, scope: 'import' },
  'POST /api/v1/import-batches/:id/approve': { roles: REVIEWERS, scope: 'import' },
  'POST /api/v1/import-batches/:id/reject': { roles: REVIEWERS, scope: 'import' },
};

const requestBody = (method: string) => (['POST', 'PATCH', 'PUT'].includes(method) ? {} : undefined);
/** A concrete URL for a route pattern: ids become random uuids (so nothing real is touched). */
const concretePath = (pattern: string) =>
  pattern.replace(/:(\w+)(\{[^}]*\})?/g, (_m, name: string) => (/id$/i.test(name) ? randomUUID() : 'zz-matrix-probe'));

describe('authorization matrix: every /api/v1 route x every role and scope', () => {
  let zhida: TestServer;
  let routes: string[];
  const sessions = {} as Record<Role, StaffSession>;
  const keys = new Map<string, string>();

  beforeAll(async () => {
    zhida = await startTestServer();
    routes = [
      ...new Set(
        createApi(zhida.ctx)
          .routes.filter((r) => r.method !== 'ALL' && r.path.startsWith('/api/v1/'))
          .map((r) => `${r.method} ${r.path}`),
      ),
    ].sort();
    for (const role of roles) sessions[role] = await createStaff(zhida, role, `matrix ${role}`);
  }, 300_000);
  afterAll(async () => zhida?.stop());

  /** A key of `role`'s matrix user holding exactly `scope` (created once, through the API). */
  async function keyFor(role: Role, scope: ApiScope): Promise<string> {
    const id = `${role}:${scope}`;
    if (!keys.has(id)) {
      const res = await zhida.api('/api/v1/api-keys', { method: 'POST', json: { name: `matrix ${id}`, scopes: [scope], userId: sessions[role].userId } });
      if (res.status !== 201) throw new Error(`key ${id}: ${res.status} ${await res.text()}`);
      keys.set(id, (await res.json()).secret);
    }
    return keys.get(id)!;
  }

  const call = (route: string, auth: { token?: string | null; session?: StaffSession }) => {
    const [method, pattern] = route.split(' ') as [string, string];
    const init = { method, json: requestBody(method) };
    return auth.session ? auth.session.api(concretePath(pattern), init) : zhida.api(concretePath(pattern), { ...init, token: auth.token ?? null });
  };

  it('has exactly one row per route (add a row for a new route; delete rows of removed ones)', () => {
    const missing = routes.filter((r) => !(r in matrix));
    const stale = Object.keys(matrix).filter((r) => !routes.includes(r));
    expect(missing, `Routes without a row in test/unit/authorization-matrix.test.ts: ${missing.join(', ')}`).toEqual([]);
    expect(stale, `Rows for routes that do not exist: ${stale.join(', ')}`).toEqual([]);
  });

  it('documents every route in the OpenAPI spec', async () => {
    const spec = await (await zhida.api('/api/openapi.json', { token: null })).json();
    const documented = new Set(
      Object.entries(spec.paths as Record<string, object>).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{(\w+)\}/g, ':$1')}`)),
    );
    const normalise = (r: string) => r.replace(/:(\w+)\{[^}]*\}/g, ':$1');
    expect(routes.filter((r) => !documented.has(normalise(r)))).toEqual([]);
  });

  it('answers 401 to every non-public route without credentials or with a bad key', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      if ('public' in (matrix[route] ?? PUBLIC)) continue;
      const none = await call(route, {});
      if (none.status !== 401) wrong.push(`${route} without credentials -> ${none.status}`);
      else if ((await none.json()).error?.code !== 'unauthorized') wrong.push(`${route}: 401 not in the error shape`);
      const bogus = await call(route, { token: 'zk_not-a-real-key' });
      if (bogus.status !== 401) wrong.push(`${route} with a bogus key -> ${bogus.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it('lets each role in exactly where the table says (session cookies)', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const guard = matrix[route];
      if (!guard || 'public' in guard) continue;
      for (const role of roles) {
        const res = await call(route, { session: sessions[role] });
        const allowed = guard.roles.includes(role);
        if (allowed && (res.status === 401 || res.status === 403)) wrong.push(`${route} as ${role}: ${res.status} ${await res.text()} (table: allowed)`);
        if (!allowed && res.status !== 403) wrong.push(`${route} as ${role}: ${res.status} (table: 403)`);
      }
    }
    expect(wrong).toEqual([]);
  }, 300_000);

  it('lets API keys in only with the right scope and an allowed owner', async () => {
    const wrong: string[] = [];
    for (const route of routes) {
      const guard = matrix[route];
      if (!guard || 'public' in guard) continue;
      const needed: ApiScope = guard.scope === 'any' ? 'search' : guard.scope;
      for (const role of roles) {
        if (!scopesForRole[role].includes(needed)) continue; // such a key cannot exist
        const res = await call(route, { token: await keyFor(role, needed) });
        const allowed = guard.roles.includes(role) && !guard.sessionOnly;
        if (allowed && (res.status === 401 || res.status === 403)) wrong.push(`${route} key(${role}, ${needed}): ${res.status} ${await res.text()} (table: allowed)`);
        if (!allowed && res.status !== 403) wrong.push(`${route} key(${role}, ${needed}): ${res.status} (table: 403)`);
      }
      if (guard.scope !== 'any') {
        // An admin's key with another scope: the scope alone must stop it.
        const other = apiScopes.find((s) => s !== guard.scope && s !== 'admin')!;
        const res = await call(route, { token: await keyFor('admin', other) });
        if (res.status !== 403) wrong.push(`${route} key(admin, ${other}): ${res.status} (table: 403, needs scope ${guard.scope})`);
      }
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});
