import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';

describe('config', () => {
  it('has working defaults', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe('./data');
    expect(c.demo).toBe(true);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.model.offline).toBe(false);
  });

  it('parses values and flags', () => {
    const c = loadConfig({ PORT: '8080', ZHIDA_DEMO: '0', ZHIDA_OFFLINE: 'true', DATABASE_URL: 'postgres://u:p@db:5432/zhida' });
    expect(c.port).toBe(8080);
    expect(c.demo).toBe(false);
    expect(c.model.offline).toBe(true);
    expect(c.databaseUrl).toBe('postgres://u:p@db:5432/zhida');
  });

  it('names every bad variable', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', ZHIDA_ADMIN_TOKEN: 'short', ZHIDA_DEMO: 'maybe' });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    for (const name of ['PORT', 'DATABASE_URL', 'ZHIDA_ADMIN_TOKEN', 'ZHIDA_DEMO']) expect(message).toContain(name);
  });
});
