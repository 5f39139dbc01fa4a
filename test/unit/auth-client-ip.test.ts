import { describe, expect, it } from 'vitest';
import { throttlingAddress } from '../../src/auth/client-ip.ts';

describe('the address login throttling counts against', () => {
  it('uses the proxy-appended (right-most) X-Forwarded-For entry only behind a local/private proxy', () => {
    expect(throttlingAddress('127.0.0.1', '198.51.100.9')).toBe('198.51.100.9');
    expect(throttlingAddress('::ffff:10.1.2.3', '203.0.113.7, 198.51.100.9')).toBe('198.51.100.9');
    expect(throttlingAddress('::1', ' 2001:db8::5 ')).toBe('2001:db8::5');
    expect(throttlingAddress('192.168.1.10', 'unknown')).toBe('192.168.1.10');
  });

  it('ignores X-Forwarded-For from a public peer (a client cannot pick its own address)', () => {
    expect(throttlingAddress('203.0.113.50', '10.0.0.1')).toBe('203.0.113.50');
    expect(throttlingAddress('::ffff:203.0.113.50', undefined)).toBe('203.0.113.50');
    expect(throttlingAddress(undefined, '1.2.3.4')).toBe('unknown');
  });
});
