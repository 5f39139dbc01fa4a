import type { ValidationTargets } from 'hono';
import { validator } from 'hono-openapi';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { DomainError } from '../../errors.ts';

/**
 * Validates a request part with a zod schema and documents it in the OpenAPI spec (hono-openapi).
 * Failures answer 400 in the API's error shape, one detail per failing field.
 *
 * @example
 * routes.post('/search', describeRoute({ summary: 'Search' }), validate('json', searchBody), handler)
 */
export function validate<S extends StandardSchemaV1, Target extends keyof ValidationTargets>(target: Target, schema: S) {
  return validator(target, schema, (result) => {
    if (!result.success) {
      const details = result.error.map((i) => ({
        path: (i.path ?? []).map((p) => (typeof p === 'object' ? String(p.key) : String(p))).join('.'),
        message: i.message,
      }));
      throw new DomainError('validation_failed', `Invalid ${target === 'json' ? 'request body' : target}`, details);
    }
  });
}
