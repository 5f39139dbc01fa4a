import pino from 'pino';

export type Logger = pino.Logger;

/** JSON logs to stdout; secrets never reach them (see redact). */
export function createLogger(level: string = 'info'): Logger {
  return pino({
    level,
    base: { app: 'zhida' },
    redact: ['req.headers.authorization', 'req.headers.cookie', 'password', 'secret', 'token'],
  });
}
