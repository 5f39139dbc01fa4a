import type { ApiScope, Role } from '../db/schema/index.ts';

/** Who is calling: a staff user (cookie session), an API key acting as its owner, or the master key. */
export interface Principal {
  kind: 'user' | 'api_key' | 'master';
  /** The acting user (the key's owner for API keys); absent for the master key. */
  userId?: string;
  name: string;
  role: Role;
  /** Scopes narrow API keys; users and the master key are limited by role only. */
  scopes: readonly ApiScope[] | 'all';
  keyId?: string;
  /** API keys: who minted the key (the owner's id, 'master', or null when unknown). Only self-minted keys review. */
  keyCreatedBy?: string | null;
  rateLimitPerMin?: number | null;
  /** Cookie sessions only: the stored session id (SHA-256 of the cookie) and its CSRF token. */
  sessionId?: string;
  csrfToken?: string;
}

export const roleRank: Record<Role, number> = { agent: 0, editor: 1, reviewer: 2, admin: 3 };

/**
 * True when the principal's role is one of `roles` and, for keys, the key carries `scope`.
 * scope 'any' = any key of the owner will do (e.g. "who am I").
 */
export function allows(p: Principal, opts: { roles: readonly Role[]; scope: ApiScope | 'any' }): boolean {
  if (p.kind === 'master') return true;
  if (!opts.roles.includes(p.role)) return false;
  return opts.scope === 'any' || p.scopes === 'all' || p.scopes.includes(opts.scope) || p.scopes.includes('admin');
}

/**
 * The scopes a role can make use of, so a key never advertises more than its owner may do: agents
 * read and search, writers also import, only admins administer.
 */
export const scopesForRole: Record<Role, readonly ApiScope[]> = {
  agent: ['search', 'bot', 'assist', 'answers'],
  editor: ['search', 'bot', 'assist', 'answers', 'import'],
  reviewer: ['search', 'bot', 'assist', 'answers', 'import'],
  admin: ['search', 'bot', 'assist', 'answers', 'import', 'admin'],
};

export const masterPrincipal: Principal = { kind: 'master', name: 'master key', role: 'admin', scopes: 'all' };
