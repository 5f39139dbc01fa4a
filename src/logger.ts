import pino from 'pino';
import { summarizeDbError } from './db/errors.ts';

export type Logger = pino.Logger;

/**
 * What never reaches a log line: credentials, hashes and tokens at any depth of a logged object,
 * and customer text (queries, messages, answer bodies) that a log line might carry.
 */
export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
  'headers.cookie',
  ...['password', 'passwordHash', 'currentPassword', 'secret', 'token', 'csrfToken', 'keyHash', 'tokenHash', 'apiKey', 'adminToken', 'databaseUrl', 'params', 'parameters', 'query', 'text', 'messages', 'body']
    .flatMap((k) => [k, `*.${k}`]),
];

/** Errors as log fields: database errors without statement parameters, others as usual. */
export function serializeError(err: unknown): unknown {
  if (!err || typeof err !== 'object') return err;
  const db = summarizeDbError(err);
  if (db) return db;
  const e = err as Error & { code?: unknown };
  const stack = typeof e.stack === 'string' ? e.stack.split('\n').filter((l) => l.startsWith('    at ')).slice(0, 12).join('\n') : undefined;
  return { type: e.constructor?.name ?? 'Error', message: e.message, code: e.code, stack };
}

/** JSON logs to stdout; secrets and customer text never reach them (see redactPaths, serializeError). */
export function createLogger(level: string = 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { app: 'zhida' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    serializers: { err: serializeError, error: serializeError },
  };
  return destination ? pino(options, destination) : pino(options);
}
