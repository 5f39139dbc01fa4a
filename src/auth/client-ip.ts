import { BlockList, isIP } from 'node:net';

function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/** The reverse proxies whose X-Forwarded-For is believed (ZHIDA_TRUST_PROXY); none by default. */
export interface ProxyTrust {
  trusts(address: string): boolean;
}

export const trustNoProxy: ProxyTrust = { trusts: () => false };

/**
 * Parses ZHIDA_TRUST_PROXY: a comma-separated list of addresses and CIDR ranges
 * ('127.0.0.1, 10.0.0.0/8, fd00::/8'), or 'loopback' for 127.0.0.0/8 and ::1. Throws on a bad entry.
 */
export function parseProxyTrust(setting: string | undefined): ProxyTrust {
  const entries = (setting ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (entries.length === 0) return trustNoProxy;
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [address, bits] = entry.split('/') as [string, string | undefined];
    const family = isIP(address);
    const max = family === 4 ? 32 : 128;
    if (family === 0 || (bits !== undefined && !(/^\d+$/.test(bits) && Number(bits) <= max))) {
      throw new Error(`not an IP address or CIDR range: ${JSON.stringify(entry)}`);
    }
    const type = family === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return {
    trusts(address: string) {
      const a = unmapped(address);
      const family = isIP(a);
      return family !== 0 && list.check(a, family === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

/**
 * The client's address for login throttling and the audit log. X-Forwarded-For is read only when
 * the socket comes from a configured proxy (ZHIDA_TRUST_PROXY); then the entries are walked from
 * the right (the one the nearest proxy appended) past further trusted proxies, and the first other
 * address is the client. Entries further left were written by the client and are ignored; without
 * the setting, a forged header changes nothing.
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trust: ProxyTrust = trustNoProxy): string {
  if (!peer) return 'unknown';
  let client = unmapped(peer);
  if (!forwardedFor || !trust.trusts(client)) return client;
  const hops = forwardedFor.split(',').map((s) => unmapped(s.trim()));
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]!;
    if (!isIP(hop)) return client;
    client = hop;
    if (!trust.trusts(hop)) return client;
  }
  return client;
}
