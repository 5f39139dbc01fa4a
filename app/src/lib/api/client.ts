import { session } from '../session.svelte';

/** An API failure in the contract's shape {"error":{code,message,details}}; status 0 = network. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly retryAfter?: number,
  ) {
    super(message);
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: string;
  json?: unknown;
  body?: BodyInit;
  headers?: Record<string, string>;
  query?: Query;
  signal?: AbortSignal;
  /** Login/me calls must not open the re-login dialog on a 401. */
  noRelogin?: boolean;
}

const SAFE = new Set(['GET', 'HEAD']);

export function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '' && v !== false) params.set(k, String(v));
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

async function send(path: string, opts: RequestOptions): Promise<Response> {
  const method = opts.method ?? (opts.json !== undefined || opts.body ? 'POST' : 'GET');
  const headers = new Headers(opts.headers);
  headers.set('accept', 'application/json');
  if (!SAFE.has(method) && session.csrfToken) headers.set('x-csrf-token', session.csrfToken);
  let body = opts.body;
  if (opts.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(opts.json);
  }
  try {
    return await fetch(withQuery(`/api/v1${path}`, opts.query), { method, headers, body, signal: opts.signal, credentials: 'same-origin' });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, 'network', (e as Error).message);
  }
}

async function errorFrom(res: Response): Promise<ApiError> {
  let payload: { error?: { code?: string; message?: string; details?: unknown } } = {};
  try {
    payload = await res.json();
  } catch {
    /* not JSON (proxy error page): fall back to the status text */
  }
  const retry = Number(res.headers.get('retry-after'));
  return new ApiError(res.status, payload.error?.code ?? `http_${res.status}`, payload.error?.message ?? res.statusText, payload.error?.details, Number.isFinite(retry) && retry > 0 ? retry : undefined);
}

/**
 * Calls /api/v1 with the session cookie and CSRF header. A 401 (session expired) opens the login
 * dialog over the page and retries once signed in, so the caller's unsaved work survives; a stale
 * CSRF token is refreshed once.
 */
export async function apiResponse(path: string, opts: RequestOptions = {}): Promise<Response> {
  let res = await send(path, opts);
  if (res.status === 401 && !opts.noRelogin && session.user) {
    await session.waitForRelogin();
    res = await send(path, opts);
  } else if (res.status === 403 && !opts.noRelogin) {
    const err = await errorFrom(res.clone());
    if (err.code === 'csrf' && (await refreshSession())) res = await send(path, opts);
  }
  if (!res.ok) throw await errorFrom(res);
  return res;
}

export async function api<T>(path: string, opts: RequestOptions = {}): Promise<T> {
  const res = await apiResponse(path, opts);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** GET /auth/me: who is signed in. Returns false (and clears the session) on 401. */
export async function refreshSession(): Promise<boolean> {
  try {
    const me = await api<{ user: import('./types').User; csrfToken: string }>('/auth/me', { noRelogin: true });
    session.signedIn(me.user, me.csrfToken);
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) {
      session.signedOut();
      session.checked = true;
      return false;
    }
    throw e;
  }
}
