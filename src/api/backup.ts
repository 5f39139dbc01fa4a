import { Hono } from 'hono';
import { describeRoute } from 'hono-openapi';
import { takeSnapshot } from '../backup/take.ts';
import { conflict } from '../errors.ts';
import type { ApiEnv } from './env.ts';
import { ADMINS, access, principalOf } from './middleware/access.ts';

/**
 * POST /api/v1/backup/snapshot (admin): a consistent online snapshot of the embedded database (gzipped
 * tar of the PGlite data directory), audited. `zhida backup <file>` calls it, checks the snapshot and
 * writes the backup file. With DATABASE_URL: 409 (use pg_dump).
 */
export const backupRoutes = new Hono<ApiEnv>().post(
  '/backup/snapshot',
  describeRoute({
    tags: ['operations'],
    summary: 'Online snapshot of the embedded database (admin, audited); `zhida backup <file>` turns it into a verified backup file',
    security: [{ bearer: [] }],
  }),
  access({ roles: ADMINS, scope: 'admin' }),
  async (c) => {
    const { database, log } = c.var.ctx;
    if (database.kind !== 'pglite') {
      throw conflict('This server uses PostgreSQL (DATABASE_URL): back it up with pg_dump, and `zhida export` for the portable copy (see README).');
    }
    const started = performance.now();
    const { archive, sha256 } = await takeSnapshot(database, principalOf(c));
    log.info({ bytes: archive.length, ms: Math.round(performance.now() - started) }, 'database snapshot taken');
    return c.body(archive, 200, { 'content-type': 'application/gzip', 'x-zhida-sha256': sha256, 'cache-control': 'no-store' });
  },
);
