import { zValidator } from '@hono/zod-validator';
import type { ValidationTargets } from 'hono';
import type { ZodType } from 'zod';
import { ApiError, zodDetails } from '../errors.ts';

/** zod validation with the API's error shape: 400 with one detail per failing field. */
export function validate<T extends ZodType, Target extends keyof ValidationTargets>(target: Target, schema: T) {
  return zValidator(target, schema, (result) => {
    if (!result.success) {
      throw new ApiError(400, 'validation_failed', `Invalid ${target === 'json' ? 'request body' : target}`, zodDetails(result.error as never));
    }
  });
}
