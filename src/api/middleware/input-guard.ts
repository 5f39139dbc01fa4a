import { createMiddleware } from 'hono/factory';
import { findTextProblem, shortened, textProblem } from '../../input.ts';
import { DomainError } from '../../errors.ts';
import type { ApiEnv } from '../env.ts';

const invalid = (message: string, path: string, problem: string) => new DomainError('invalid_input', message, [{ path, message: problem }]);

function decode(raw: string, what: string, path: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw invalid(`Malformed percent-escape in the ${what}`, path, 'is not a valid percent-encoded UTF-8 string');
  }
}

/** Path segments and query parameters decoded strictly and checked against the text policy. */
function checkUrl(url: string): void {
  const queryAt = url.indexOf('?');
  const hashAt = url.indexOf('#');
  const pathEnd = queryAt >= 0 ? queryAt : hashAt >= 0 ? hashAt : url.length;
  const pathname = url.slice(url.indexOf('/', url.indexOf('//') + 2), pathEnd);
  for (const segment of pathname.split('/')) {
    const text = decode(segment, 'path', 'path');
    const problem = textProblem(text);
    if (problem) throw invalid(`The path ${problem}`, 'path', problem);
  }
  if (queryAt < 0) return;
  const query = url.slice(queryAt + 1, hashAt > queryAt ? hashAt : url.length);
  for (const pair of query.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq >= 0 ? pair.slice(0, eq) : pair;
    const key = decode(rawKey.replace(/\+/g, ' '), 'query string', 'query');
    const value = eq >= 0 ? decode(pair.slice(eq + 1).replace(/\+/g, ' '), 'query string', `query.${shortened(key)}`) : '';
    const problem = textProblem(key) ? `parameter name ${textProblem(key)}` : textProblem(value);
    if (problem) throw invalid(`Query parameter ${shortened(key)} ${problem}`, `query.${shortened(key)}`, problem);
  }
}

const JSON_TYPE = /^application\/([\w.+-]*\+)?json$/i;

/**
 * One input policy at the edge of the API, before any handler runs: path segments and query
 * parameters must be valid percent-encoded UTF-8, JSON bodies valid UTF-8 (never silently
 * repaired) and valid JSON, and no string or field name anywhere may hold a NUL or an unpaired
 * surrogate. Each refusal is a 400 naming the field. Handlers' zod schemas then check the shape;
 * import files (NDJSON/CSV/XLSX) are checked per record by the import itself.
 */
export const inputGuard = createMiddleware<ApiEnv>(async (c, next) => {
  checkUrl(c.req.url);
  const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim();
  if (JSON_TYPE.test(type) && c.req.method !== 'GET' && c.req.method !== 'HEAD') {
    const bytes = new Uint8Array(await c.req.arrayBuffer());
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw new DomainError('invalid_utf8', 'The request body is not valid UTF-8');
    }
    if (text.trim() !== '') {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        throw new DomainError('bad_request', 'Malformed JSON body');
      }
      const problem = findTextProblem(value);
      if (problem) throw invalid(`${problem.path || 'The body'} ${problem.message}`, problem.path, problem.message);
    }
  }
  await next();
});
