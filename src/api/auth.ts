import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { describeRoute } from 'hono-openapi';
import { getConnInfo } from '@hono/node-server/conninfo';
import { z } from 'zod';
import { clientAddress } from '../auth/client-ip.ts';
import { loginWithPassword, logout } from '../auth/login.ts';
import { getUser, locales, PASSWORD_MAX, PASSWORD_MIN, toPublicUser, updateOwnProfile } from '../auth/users.ts';
import { roles } from '../db/schema/index.ts';
import { DomainError, unauthorized } from '../errors.ts';
import type { ApiEnv } from './env.ts';
import { ALL_ROLES, access, principalOf } from './middleware/access.ts';
import { SESSION_COOKIE } from './middleware/authenticate.ts';
import { validate } from './middleware/validate.ts';
import { errorResponses, jsonResponse, publicRoute } from './openapi.ts';

export const passwordField = z.string().min(PASSWORD_MIN, `password needs at least ${PASSWORD_MIN} characters`).max(PASSWORD_MAX);

const loginBody = z.strictObject({
  email: z.string().trim().min(1, 'email is required').max(320),
  password: z.string().min(1, 'password is required').max(PASSWORD_MAX),
});

const meBody = z.strictObject({
  locale: z.enum(locales).optional(),
  password: passwordField.optional(),
  currentPassword: z.string().max(PASSWORD_MAX).optional(),
});

export const publicUserSchema = z.object({ id: z.uuid(), name: z.string(), email: z.string(), role: z.enum(roles), locale: z.string() });
const sessionSchema = z.object({ user: publicUserSchema, csrfToken: z.string() });

/** The caller's address for throttling and the audit log (X-Forwarded-For only from ZHIDA_TRUST_PROXY). */
function clientIp(c: Context<ApiEnv>): string {
  let peer: string | undefined;
  try {
    peer = getConnInfo(c).remote.address;
  } catch {
    // app.request() without a socket (tests)
  }
  return clientAddress(peer, c.req.header('x-forwarded-for'), c.var.ctx.config.trustProxy);
}

function peerAddress(c: Context<ApiEnv>): string | undefined {
  try {
    return getConnInfo(c).remote.address;
  } catch {
    return undefined; // app.request() without a socket (tests)
  }
}

/** Cookies are Secure when asked (ZHIDA_SECURE_COOKIES), the request came over HTTPS, or a trusted proxy says it did. */
function secureCookie(c: Context<ApiEnv>): boolean {
  const { config } = c.var.ctx;
  if (config.secureCookies || new URL(c.req.url).protocol === 'https:') return true;
  const peer = peerAddress(c);
  return !!peer && config.trustProxy.trusts(peer) && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** Staff sign-in with email + password: cookie session + CSRF token, throttled, audited. */
export const authRoutes = new Hono<ApiEnv>()
  .post(
    '/auth/login',
    describeRoute({
      tags: ['auth'],
      summary: 'Sign in (staff): sets the zhida_session cookie and returns the CSRF token for writes',
      security: publicRoute,
      responses: { 200: jsonResponse('Signed in', sessionSchema), ...errorResponses(400, 401, 429) },
    }),
    validate('json', loginBody),
    async (c) => {
      const { config, db } = c.var.ctx;
      const { email, password } = c.req.valid('json');
      const { user, session } = await loginWithPassword(db, { email, password, ip: clientIp(c), sessionHours: config.sessionHours });
      // Signing in over an existing session (another account, or the same) ends the old one.
      const previous = getCookie(c, SESSION_COOKIE);
      if (previous) await logout(db, previous);
      setCookie(c, SESSION_COOKIE, session.token, {
        httpOnly: true,
        sameSite: 'Lax',
        secure: secureCookie(c),
        path: '/',
        expires: session.expiresAt,
      });
      return c.json({ user, csrfToken: session.csrfToken });
    },
  )
  .post(
    '/auth/logout',
    describeRoute({
      tags: ['auth'],
      summary: 'Sign out: deletes the session and clears the cookie (204 even when already signed out)',
      security: publicRoute,
      responses: { 204: { description: 'Signed out' }, ...errorResponses(403) },
    }),
    async (c) => {
      const token = getCookie(c, SESSION_COOKIE);
      if (token) await logout(c.var.ctx.db, token);
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure: secureCookie(c) });
      return c.body(null, 204);
    },
  )
  .get(
    '/auth/me',
    describeRoute({
      tags: ['auth'],
      summary: 'Who is signed in, and the CSRF token of this session (401 when the session expired)',
      responses: { 200: jsonResponse('The signed-in user', sessionSchema.extend({ csrfToken: z.string().nullable() })), ...errorResponses(401, 403) },
    }),
    access({ roles: ALL_ROLES, scope: 'any' }),
    async (c) => {
      const p = principalOf(c);
      if (!p.userId) throw new DomainError('no_user_account', 'The master key is not a user account');
      const user = await getUser(c.var.ctx.db, p.userId);
      if (!user) throw unauthorized();
      // API keys act as their owner but have no session, hence no CSRF token.
      return c.json({ user: toPublicUser(user), csrfToken: p.csrfToken ?? null });
    },
  )
  .patch(
    '/auth/me',
    describeRoute({
      tags: ['auth'],
      summary: 'Change your own locale or password (a new password needs currentPassword and signs out your other sessions)',
      responses: { 200: jsonResponse('Updated', z.object({ user: publicUserSchema })), ...errorResponses(400, 401, 403, 429) },
    }),
    access({ roles: ALL_ROLES, scope: 'any' }),
    validate('json', meBody),
    async (c) => {
      const p = principalOf(c);
      // Only a person at a browser changes their own profile; a leaked key must not change the password.
      if (p.kind !== 'user') throw new DomainError('session_required', 'Sign in to change your profile; API keys cannot');
      const user = await updateOwnProfile(c.var.ctx.db, p.userId!, c.req.valid('json'), p.sessionId);
      return c.json({ user });
    },
  );
