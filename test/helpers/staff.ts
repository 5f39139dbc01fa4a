import type { Role } from '../../src/db/schema/index.ts';
import type { TestServer } from './server.ts';

/** A signed-in staff browser: the session cookie and CSRF token, sent the way the editor app sends them. */
export interface StaffSession {
  userId: string;
  email: string;
  password: string;
  cookie: string;
  csrfToken: string;
  /** fetch with the session cookie (and x-csrf-token on writes unless `csrf: false`). */
  api(pathname: string, init?: RequestInit & { json?: unknown; csrf?: boolean }): Promise<Response>;
}

let counter = 0;

/** The `zhida_session=...` pair from a Set-Cookie header, or null. */
export function sessionCookieFrom(res: Response): string | null {
  for (const line of res.headers.getSetCookie()) {
    const m = /^zhida_session=([^;]*)/.exec(line);
    if (m) return m[1] ? `zhida_session=${m[1]}` : null;
  }
  return null;
}

/** Signs in over HTTP and returns a session helper; throws with the response body when it fails. */
export async function signIn(zhida: TestServer, email: string, password: string, userId = ''): Promise<StaffSession> {
  const res = await zhida.api('/api/v1/auth/login', { method: 'POST', json: { email, password }, token: null });
  if (res.status !== 200) throw new Error(`login ${email} -> ${res.status} ${await res.text()}`);
  const body = (await res.json()) as { user: { id: string }; csrfToken: string };
  const cookie = sessionCookieFrom(res)!;
  return {
    userId: userId || body.user.id,
    email,
    password,
    cookie,
    csrfToken: body.csrfToken,
    api(pathname, init = {}) {
      const headers = new Headers(init.headers);
      headers.set('cookie', cookie);
      const method = (init.method ?? 'GET').toUpperCase();
      if (init.csrf !== false && !['GET', 'HEAD'].includes(method)) headers.set('x-csrf-token', body.csrfToken);
      return zhida.api(pathname, { ...init, headers, token: null });
    },
  };
}

/** Creates a user with the master key over POST /api/v1/users and signs them in. */
export async function createStaff(zhida: TestServer, role: Role, name = `${role} ${++counter}`): Promise<StaffSession> {
  const email = `${role}.${Date.now().toString(36)}.${++counter}@bank.test`;
  const password = `pw-${role}-${counter}-long-enough`;
  const res = await zhida.api('/api/v1/users', { method: 'POST', json: { name, email, password, role } });
  if (res.status !== 201) throw new Error(`create ${role} -> ${res.status} ${await res.text()}`);
  const { id } = (await res.json()) as { id: string };
  return signIn(zhida, email, password, id);
}

const approvers = new WeakMap<TestServer, Promise<StaffSession>>();

/**
 * Publishes an import batch the way production does: a reviewer who did not import it approves it
 * (POST /import-batches/:id/approve). One throw-away reviewer per server.
 */
export async function approveImportBatch(zhida: TestServer, batchId: string | null | undefined): Promise<void> {
  if (!batchId) return;
  let reviewer = approvers.get(zhida);
  if (!reviewer) approvers.set(zhida, (reviewer = createStaff(zhida, 'reviewer', 'batch approver')));
  const res = await (await reviewer).api(`/api/v1/import-batches/${batchId}/approve`, { method: 'POST', json: {} });
  if (res.status !== 200) throw new Error(`approve batch ${batchId} -> ${res.status} ${await res.text()}`);
}
