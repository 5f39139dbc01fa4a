import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import { ApiError } from '../api/client';

// Codes the UI explains in its own words; anything else shows the server's message.
const KNOWN = new Set([
  'network', 'invalid_credentials', 'rate_limited', 'conflict', 'four_eyes', 'invalid_transition', 'forbidden', 'not_found',
  'unauthorized', 'csrf', 'payload_too_large', 'validation', 'bad_request', 'unprocessable',
]);

/** An error in plain words for the person looking at the screen. */
export function describeError(error: unknown): string {
  const t = get(_);
  if (error instanceof ApiError) {
    if (error.code === 'rate_limited') return t('errors.rate_limited', { values: { seconds: error.retryAfter ?? 60 } });
    if (KNOWN.has(error.code)) {
      const base = t(`errors.${error.code}`);
      // Validation messages name the field that is wrong: worth showing as well.
      return ['validation', 'bad_request', 'unprocessable', 'invalid_transition', 'not_found'].includes(error.code) && error.message ? `${base} (${error.message})` : base;
    }
    if (error.status === 403) return t('errors.forbidden');
    if (error.status >= 500) return t('errors.server', { values: { message: error.message } });
    return error.message || t('errors.unknown');
  }
  return error instanceof Error ? error.message : String(error);
}
