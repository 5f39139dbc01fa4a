import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rowsOf } from '../../src/db/rows.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

describe('settings reload without a restart (POST /api/v1/admin/reload, like SIGHUP)', () => {
  const envFile = path.join(mkdtempSync(path.join(tmpdir(), 'zhida-env-')), 'zhida.env');
  let zhida: TestServer;
  beforeAll(async () => {
    writeFileSync(envFile, 'ZHIDA_LOG_LEVEL=silent\n');
    zhida = await startTestServer({ ZHIDA_ENV_FILE: envFile, ZHIDA_LOG_LEVEL: 'silent' });
  }, 120_000);
  afterAll(async () => zhida?.stop());

  it('changes the log level, rate limit and hand-off threshold in place, audited, and names what needs a restart', async () => {
    writeFileSync(envFile, 'ZHIDA_LOG_LEVEL=debug\nZHIDA_RATE_LIMIT_PER_MIN=42\nZHIDA_HANDOFF_THRESHOLD=0.6\nZHIDA_MODEL=other/model\n');
    const res = await zhida.api('/api/v1/admin/reload', { method: 'POST' });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { changed: Record<string, { from: unknown; to: unknown }>; needsRestart: string[] };
    expect(body.changed).toEqual({
      ZHIDA_LOG_LEVEL: { from: 'silent', to: 'debug' },
      ZHIDA_RATE_LIMIT_PER_MIN: { from: 600, to: 42 },
      ZHIDA_HANDOFF_THRESHOLD: { from: undefined, to: 0.6 },
    });
    expect(body.needsRestart).toEqual(['ZHIDA_MODEL']);
    expect(zhida.ctx.log.level).toBe('debug');
    expect(zhida.ctx.config.rateLimitPerMin).toBe(42);
    expect(zhida.ctx.config.handoffThreshold).toBe(0.6);
    expect((await zhida.api('/healthz')).status).toBe(200);
    const [audit] = rowsOf<{ action: string }>(await zhida.ctx.db.execute(sql`select action from audit_log order by id desc limit 1`));
    expect(audit?.action).toBe('config.reloaded');
  });

  it('refuses an invalid value with the variable named and changes nothing', async () => {
    writeFileSync(envFile, 'ZHIDA_LOG_LEVEL=warn\nZHIDA_RATE_LIMIT_PER_MIN=-5\n');
    const res = await zhida.api('/api/v1/admin/reload', { method: 'POST' });
    expect(res.status).toBe(422);
    const body = (await res.json()) as { error: { code: string; message: string; details: { path: string }[] } };
    expect(body.error.details).toEqual([expect.objectContaining({ path: 'ZHIDA_RATE_LIMIT_PER_MIN' })]);
    expect(zhida.ctx.log.level).toBe('debug');
    expect(zhida.ctx.config.rateLimitPerMin).toBe(42);
  });

  it('says so when no settings file is configured', async () => {
    const plain = await startTestServer();
    try {
      const res = await plain.api('/api/v1/admin/reload', { method: 'POST' });
      expect(res.status).toBe(409);
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('ZHIDA_ENV_FILE');
    } finally {
      await plain.stop();
    }
  }, 120_000);

  it('is for admins only', async () => {
    expect((await zhida.api('/api/v1/admin/reload', { method: 'POST', token: null })).status).toBe(401);
  });
});
