import { get } from 'svelte/store';
import { _ } from 'svelte-i18n';
import { ApiError } from '../api/client';

// Codes the UI explains in its own words; anything else shows the server's message.
const KNOWN = new Set([
  'network', 'invalid_credentials', 'rate_limited', 'conflict', 'four_eyes', 'invalid_transition', 'forbidden', 'not_found',
  'unauthorized', 'csrf', 'payload_too_large', 'validation_failed', 'bad_request', 'unprocessable', 'unknown_category', 'invalid_body',
]);
const WITH_SERVER_TEXT = new Set(['bad_request', 'unprocessable', 'invalid_transition', 'not_found', 'invalid_body']);

/** "title: must not be empty; tags.3: too long" from the validator's per-field details. */
function fieldProblems(details: unknown): string {
  if (!Array.isArray(details)) return '';
  return details
    .map((d: { path?: string; message?: string }) => [d.path, d.message].filter(Boolean).join(': '))
    .filter(Boolean)
    .join('; ');
}

/** An error in plain words for the person looking at the screen. */
export function describeError(error: unknown): string {
  const t = get(_);
  if (error instanceof ApiError) {
    if (error.code === 'rate_limited') return t('errors.rate_limited', { values: { seconds: error.retryAfter ?? 60 } });
    if (KNOWN.has(error.code)) {
      const base = t(`errors.${error.code}`);
      // Validation messages name the field that is wrong: worth showing as well.
      if (error.code === 'validation_failed') {
        const problems = fieldProblems(error.details);
        return problems ? `${base} (${problems})` : base;
      }
      return WITH_SERVER_TEXT.has(error.code) && error.message ? `${base} (${error.message})` : base;
    }
    if (error.status === 403) return t('errors.forbidden');
    if (error.status >= 500) return t('errors.server', { values: { message: error.message } });
    return error.message || t('errors.unknown');
  }
  return error instanceof Error ? error.message : String(error);
}
