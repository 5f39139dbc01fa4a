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
  rateLimitPerMin?: number | null;
}

export const roleRank: Record<Role, number> = { agent: 0, editor: 1, reviewer: 2, admin: 3 };

/** True when the principal's role is one of `roles` and, for keys, the key carries `scope`. */
export function allows(p: Principal, opts: { roles: readonly Role[]; scope: ApiScope }): boolean {
  if (p.kind === 'master') return true;
  if (!opts.roles.includes(p.role)) return false;
  return p.scopes === 'all' || p.scopes.includes(opts.scope) || p.scopes.includes('admin');
}

export const masterPrincipal: Principal = { kind: 'master', name: 'master key', role: 'admin', scopes: 'all' };
