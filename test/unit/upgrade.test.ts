import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrationJournal } from '../../src/db/migrate.ts';
import { createPreviousReleaseDataDir, previousRelease, sqlFileSha256, type PreviousReleaseData } from '../fixtures/previous-release.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { CLI_TIMEOUT, zhida } from '../helpers/cli.ts';

describe('migrations are forward-only', () => {
  it("keeps the previous release's migration files byte for byte, and only adds after them", () => {
    const journal = migrationJournal();
    expect(journal.slice(0, previousRelease.migrations.length).map((m) => [m.tag, m.when])).toEqual(previousRelease.migrations.map((m) => [m.tag, m.when]));
    for (const m of previousRelease.migrations) expect(sqlFileSha256(m.tag), m.tag).toBe(m.sha256);
    // Timestamps increase: drizzle applies every entry newer than the newest applied one.
    for (let i = 1; i < journal.length; i++) expect(journal[i]!.when).toBeGreaterThan(journal[i - 1]!.when);
  });
});

describe('zhida migrate --check on a new data directory', () => {
  it('lists every migration and applies none', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'zhida-migrate-check-'));
    const all = migrationJournal();
    for (let i = 0; i < 2; i++) {
      const check = await zhida(['migrate', '--check'], { ZHIDA_DATA_DIR: dir });
      expect(check.code).toBe(0);
      expect(check.out).toContain(`0 migrations applied; ${all.length} would run`);
      expect(check.out).toContain(all.at(-1)!.tag);
    }
  }, CLI_TIMEOUT);
});

describe(`upgrade from the previous release (${previousRelease.commit})`, () => {
  let dataDir: string;
  let data: PreviousReleaseData;
  let zhidaServer: TestServer;
  const newMigrations = migrationJournal().slice(previousRelease.migrations.length).map((m) => m.tag);

  beforeAll(async () => {
    ({ dataDir, data } = await createPreviousReleaseDataDir());
  });
  afterAll(async () => zhidaServer?.stop());

  it('zhida migrate --check lists what would run and changes nothing', async () => {
    const first = await zhida(['migrate', '--check'], { ZHIDA_DATA_DIR: dataDir });
    expect(first.code).toBe(0);
    expect(first.out).toContain(`${previousRelease.migrations.length} migrations applied`);
    if (newMigrations.length === 0) expect(first.out).toMatch(/up to date/);
    else {
      expect(first.out).toContain(`${newMigrations.length} would run`);
      for (const tag of newMigrations) expect(first.out).toContain(tag);
    }
    const again = await zhida(['migrate', '--check'], { ZHIDA_DATA_DIR: dataDir });
    expect(again.out).toBe(first.out);
  }, CLI_TIMEOUT);

  it('starts the current code on it: migrations applied, answers, versions, users, keys, audit chain and search survive', async () => {
    zhidaServer = await startTestServer({ ZHIDA_DATA_DIR: dataDir });
    const ready = await (await zhidaServer.api('/readyz')).json();
    expect(ready.checks.migrations.applied).toBe(migrationJournal().length);

    // The API key written by the old release still authenticates, with its scopes.
    const asKey = { token: data.apiKey.secret };
    const answer = await (await zhidaServer.api(`/api/v1/answers/${data.cardLost.id}`, asKey)).json();
    expect(answer).toMatchObject({ id: data.cardLost.id, externalId: data.cardLost.externalId });
    expect(JSON.stringify(answer)).toContain(data.cardLost.liveTitle);
    const versions = await (await zhidaServer.api(`/api/v1/answers/${data.cardLost.id}/versions`, asKey)).json();
    expect(versions.items.map((v: { number: number; status: string }) => [v.number, v.status])).toEqual([
      [3, 'draft'],
      [2, 'published'],
      [1, 'superseded'],
    ]);

    // Search finds the live answer by a similar question, and never the archived one.
    const found = await (await zhidaServer.api('/api/v1/search', { ...asKey, method: 'POST', json: { query: '卡丢了怎么挂失' } })).json();
    expect(found.results[0]).toMatchObject({ answerId: data.cardLost.id, title: data.cardLost.liveTitle });
    const archived = await (await zhidaServer.api('/api/v1/search', { ...asKey, method: 'POST', json: { query: data.archived.title } })).json();
    expect(archived.results.map((r: { answerId: string }) => r.answerId)).not.toContain(data.archived.id);
    const bot = await (await zhidaServer.api('/api/v1/bot/answer', { ...asKey, method: 'POST', json: { query: '信用卡丢失如何挂失' } })).json();
    expect(bot.answer?.answerId).toBe(data.cardLost.id);

    // Staff passwords hashed by the old release still sign in; roles are kept.
    for (const user of [data.admin, data.editor]) {
      const res = await zhidaServer.api('/api/v1/auth/login', { token: null, method: 'POST', json: { email: user.email, password: user.password } });
      expect(res.status, user.email).toBe(200);
    }
    const users = await (await zhidaServer.api('/api/v1/users')).json();
    expect(users.items.map((u: { email: string; role: string }) => [u.email, u.role]).sort()).toEqual(
      [
        [data.admin.email, 'admin'],
        [data.editor.email, 'editor'],
      ].sort(),
    );

    // The audit chain verifies, and its old entries are untouched (the same head at the same position).
    const verify = await (await zhidaServer.api('/api/v1/audit/verify')).json();
    expect(verify.ok).toBe(true);
    expect(verify.checked).toBeGreaterThanOrEqual(data.auditEntries);
    const rows = (await zhidaServer.ctx.db.execute(sql`select hash from audit_log order by id limit ${data.auditEntries}`)) as unknown as { rows: { hash: string }[] };
    expect(rows.rows.at(-1)?.hash).toBe(data.auditHead);
  }, CLI_TIMEOUT);

  it('after the upgrade, migrate --check finds nothing to run', async () => {
    await zhidaServer.stop();
    const check = await zhida(['migrate', '--check'], { ZHIDA_DATA_DIR: dataDir });
    expect(check.code).toBe(0);
    expect(check.out).toMatch(new RegExp(`up to date \\(${migrationJournal().length} migrations applied\\)`));
  }, CLI_TIMEOUT);
});
