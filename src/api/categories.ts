import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { createCategory, deleteCategory, listCategories } from '../answers/categories.ts';
import type { ApiEnv } from './env.ts';
import { ADMINS, ALL_ROLES, REVIEWERS, access, principalOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';
import { errorResponses, jsonResponse, staffOrKey } from './openapi.ts';

const category = z.object({ path: z.string(), name: z.string(), parentPath: z.string().nullable() });
const createBody = z.strictObject({ path: z.string().trim().min(1, 'path is required, e.g. 信用卡/挂失与补卡').max(500) });
const pathParam = z.strictObject({ path: z.string().min(1).max(500) });

/** The category tree: '/'-separated paths ('信用卡/挂失与补卡'). */
export const categoryRoutes = new Hono<ApiEnv>()
  .get(
    '/categories',
    describeRoute({
      tags: ['categories'],
      summary: 'The category tree with answer counts (sub-categories included)',
      security: staffOrKey,
      responses: { 200: jsonResponse('Categories', z.object({ items: z.array(category.extend({ answerCount: z.number() })) })), ...errorResponses(401, 403) },
    }),
    access({ roles: ALL_ROLES, scope: 'answers' }),
    async (c) => c.json({ items: await listCategories(c.var.ctx.db) }),
  )
  .post(
    '/categories',
    describeRoute({
      tags: ['categories'],
      summary: 'Create a category and missing ancestors (reviewer/admin); 200 when it existed',
      security: staffOrKey,
      responses: { 201: jsonResponse('Created', category), 200: jsonResponse('Already existed', category), ...errorResponses(400, 401, 403) },
    }),
    access({ roles: REVIEWERS, scope: 'answers' }),
    validate('json', createBody),
    async (c) => {
      const { created, category: row } = await c.var.ctx.db.transaction((tx) => createCategory(tx, principalOf(c), c.req.valid('json').path));
      return c.json(row, created ? 201 : 200);
    },
  )
  .delete(
    '/categories/:path{.+}',
    describeRoute({
      tags: ['categories'],
      summary: 'Delete a category (admin); 409 in_use while answers or sub-categories use it',
      description: 'The path is URL-encoded (信用卡%2F挂失与补卡) or written with slashes.',
      security: staffOrKey,
      responses: { 204: { description: 'Deleted' }, ...errorResponses(401, 403, 404, 409) },
    }),
    access({ roles: ADMINS, scope: 'answers' }),
    validate('param', pathParam),
    async (c) => {
      await c.var.ctx.db.transaction((tx) => deleteCategory(tx, principalOf(c), decodeURIComponent(c.req.valid('param').path)));
      return c.body(null, 204);
    },
  );
