import { describe, expect, it } from 'vitest';
import { clientAddress, parseProxyTrust } from '../../src/auth/client-ip.ts';

describe('the client address login throttling and the audit log count against', () => {
  it('ignores X-Forwarded-For when no proxy is trusted (the default), even from a private peer', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.9')).toBe('127.0.0.1');
    expect(clientAddress('::ffff:10.1.2.3', '203.0.113.7')).toBe('10.1.2.3');
    expect(clientAddress('192.168.1.10', '1.2.3.4')).toBe('192.168.1.10');
    expect(clientAddress(undefined, '1.2.3.4')).toBe('unknown');
  });

  it('uses the right-most untrusted entry behind a configured proxy', () => {
    const trust = parseProxyTrust('10.0.0.0/8, ::1');
    expect(clientAddress('10.0.0.2', '198.51.100.9', trust)).toBe('198.51.100.9');
    // The client wrote 203.0.113.7 itself; the proxy appended the real peer.
    expect(clientAddress('::ffff:10.1.2.3', '203.0.113.7, 198.51.100.9', trust)).toBe('198.51.100.9');
    // Two trusted proxies in a row are skipped.
    expect(clientAddress('10.0.0.2', '198.51.100.9, 10.0.0.7', trust)).toBe('198.51.100.9');
    expect(clientAddress('::1', ' 2001:db8::5 ', trust)).toBe('2001:db8::5');
    expect(clientAddress('10.0.0.2', 'unknown', trust)).toBe('10.0.0.2');
    // An internal client that is not a proxy cannot forge its address.
    expect(clientAddress('192.168.1.10', '1.2.3.4', trust)).toBe('192.168.1.10');
    expect(clientAddress('203.0.113.50', '10.0.0.1', trust)).toBe('203.0.113.50');
  });

  it('refuses a malformed setting', () => {
    expect(() => parseProxyTrust('10.0.0.0/33')).toThrow(/CIDR/);
    expect(() => parseProxyTrust('proxy.internal')).toThrow(/CIDR/);
    expect(parseProxyTrust('loopback').trusts('127.0.0.5')).toBe(true);
    expect(parseProxyTrust('').trusts('127.0.0.1')).toBe(false);
  });
});
