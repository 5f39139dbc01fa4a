import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { z } from 'zod';
import { createSynonymGroup, deleteSynonymGroup, updateSynonymGroup } from '../search/synonym-admin.ts';
import { listSynonyms } from '../search/synonyms.ts';
import type { ApiEnv } from './env.ts';
import { REVIEWERS, access, principalOf } from './middleware/access.ts';
import { validate } from './middleware/validate.ts';

const groupBody = z.strictObject({
  phrases: z.array(z.string().trim().min(1).max(100)).min(2, 'a group needs at least two phrases').max(50),
});
const idParam = z.object({ id: z.uuid('must be a UUID') });
const doc = (summary: string) => describeRoute({ tags: ['search'], summary, security: [{ bearer: [] }] });
const guard = () => access({ roles: REVIEWERS, scope: 'answers' });

/** Synonym groups (挂失/丢失/遗失…) applied to queries at search time; reviewers and admins, audited. */
export const synonymRoutes = new Hono<ApiEnv>()
  .get('/synonyms', doc('Synonym groups'), guard(), async (c) => c.json({ items: await listSynonyms(c.var.ctx.db) }))
  .post('/synonyms', doc('Create a synonym group'), guard(), validate('json', groupBody), async (c) =>
    c.json(await createSynonymGroup(c.var.ctx.db, principalOf(c), c.req.valid('json').phrases), 201),
  )
  .patch('/synonyms/:id', doc('Replace the phrases of a synonym group'), guard(), validate('param', idParam), validate('json', groupBody), async (c) =>
    c.json(await updateSynonymGroup(c.var.ctx.db, principalOf(c), c.req.valid('param').id, c.req.valid('json').phrases)),
  )
  .delete('/synonyms/:id', doc('Delete a synonym group'), guard(), validate('param', idParam), async (c) => {
    await deleteSynonymGroup(c.var.ctx.db, principalOf(c), c.req.valid('param').id);
    return c.body(null, 204);
  });
