import { session } from '../session.svelte';
import { api } from './client';
import type { AdminUser, ApiKey, ApiKeyScope, AuditEntry, Role, User } from './types';

export async function login(email: string, password: string): Promise<User> {
  const res = await api<{ user: User; csrfToken: string }>('/auth/login', { json: { email, password }, noRelogin: true });
  session.signedIn(res.user, res.csrfToken);
  return res.user;
}

export async function logout(): Promise<void> {
  try {
    await api<void>('/auth/logout', { method: 'POST', noRelogin: true });
  } finally {
    session.signedOut();
  }
}

export const updateMe = (patch: { locale?: string; password?: string; currentPassword?: string }) =>
  api<{ user: User }>('/auth/me', { method: 'PATCH', json: patch });

export const listUsers = () => api<{ items: AdminUser[] }>('/users');
export const createUser = (u: { name: string; email: string; password: string; role: Role }) => api<AdminUser>('/users', { json: u });
export const updateUser = (id: string, patch: { name?: string; role?: Role; disabled?: boolean; password?: string }) =>
  api<AdminUser>(`/users/${id}`, { method: 'PATCH', json: patch });

export const listApiKeys = () => api<{ items: ApiKey[] }>('/api-keys');
export const createApiKey = (k: { name: string; userId?: string; scopes: ApiKeyScope[]; rateLimitPerMin?: number }) =>
  api<{ id: string; name: string; prefix: string; scopes: ApiKeyScope[]; secret: string }>('/api-keys', { json: k });
export const revokeApiKey = (id: string) => api<void>(`/api-keys/${id}`, { method: 'DELETE' });

export interface AuditFilter {
  action?: string;
  entityType?: string;
  entityId?: string;
  actorId?: string;
  from?: string;
  to?: string;
  limit?: number;
  before?: string;
}
export const listAudit = (f: AuditFilter) => api<{ items: AuditEntry[]; nextBefore: string | null }>('/audit', { query: { ...f } });
export const verifyAudit = () => api<{ ok: boolean; checked: number; firstBadId?: string | number }>('/audit/verify');
