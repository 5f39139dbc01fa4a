import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { createUser, listUsers, updateUser } from '../auth/users.ts';
import { roles } from '../db/schema/index.ts';
import { passwordField } from './auth.ts';
import type { ApiEnv } from './env.ts';
import { ADMINS, access, principalOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';
import { errorResponses, jsonResponse } from './openapi.ts';

const name = z.string().trim().min(1, 'name is required').max(100);

const createBody = z.strictObject({
  name,
  email: z.email('email is not a valid address').max(320),
  password: passwordField,
  role: z.enum(roles),
});

const patchBody = z.strictObject({
  name: name.optional(),
  role: z.enum(roles).optional(),
  disabled: z.boolean().optional(),
  password: passwordField.optional(),
});

const idParam = z.strictObject({ id: z.uuid('id must be a uuid') });

const userItem = z.object({
  id: z.uuid(),
  name: z.string(),
  email: z.string(),
  role: z.enum(roles),
  locale: z.string(),
  disabled: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Staff accounts (admin only): list, create, change role/name/password, disable. */
export const userRoutes = new Hono<ApiEnv>()
  .get(
    '/users',
    describeRoute({ tags: ['users'], summary: 'List staff users (admin)', responses: { 200: jsonResponse('Users', z.object({ items: z.array(userItem) })), ...errorResponses(401, 403) } }),
    access({ roles: ADMINS, scope: 'admin' }),
    async (c) => c.json({ items: await listUsers(c.var.ctx.db) }),
  )
  .post(
    '/users',
    describeRoute({
      tags: ['users'],
      summary: 'Create a staff user (admin); 409 email_taken',
      responses: { 201: jsonResponse('Created', userItem), ...errorResponses(400, 401, 403, 409) },
    }),
    access({ roles: ADMINS, scope: 'admin' }),
    validate('json', createBody),
    async (c) => c.json(await createUser(c.var.ctx.db, principalOf(c), c.req.valid('json')), 201),
  )
  .patch(
    '/users/:id',
    describeRoute({
      tags: ['users'],
      summary: 'Change a user (admin): name, role, disabled, password. Disabling or a new password signs them out; 409 last_admin',
      responses: { 200: jsonResponse('Updated', userItem), ...errorResponses(400, 401, 403, 404, 409) },
    }),
    access({ roles: ADMINS, scope: 'admin' }),
    validate('param', idParam),
    validate('json', patchBody),
    async (c) => c.json(await updateUser(c.var.ctx.db, principalOf(c), c.req.valid('param').id, c.req.valid('json'))),
  );
