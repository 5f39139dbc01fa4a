import { BlockList, isIP } from 'node:net';

// Where a bank's reverse proxy sits: this host or the internal network.
const proxyNetworks = new BlockList();
proxyNetworks.addSubnet('127.0.0.0', 8, 'ipv4');
proxyNetworks.addSubnet('10.0.0.0', 8, 'ipv4');
proxyNetworks.addSubnet('172.16.0.0', 12, 'ipv4');
proxyNetworks.addSubnet('192.168.0.0', 16, 'ipv4');
proxyNetworks.addAddress('::1', 'ipv6');
proxyNetworks.addSubnet('fc00::', 7, 'ipv6');

function unmapped(address: string): string {
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function fromProxyNetwork(address: string): boolean {
  const a = unmapped(address);
  const family = isIP(a);
  return family !== 0 && proxyNetworks.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

/**
 * The address login throttling counts against. Production runs behind a TLS reverse proxy, where
 * every socket comes from the proxy: counting the proxy would let one password sprayer lock every
 * member of staff out. So when the socket is from loopback or a private network (where the proxy
 * is), the right-most X-Forwarded-For entry, the one the proxy itself appended, is used; anything
 * further left was written by the client and is ignored. A direct public peer is used as is.
 */
export function throttlingAddress(peer: string | undefined, forwardedFor: string | undefined): string {
  if (!peer) return 'unknown';
  if (!forwardedFor || !fromProxyNetwork(peer)) return unmapped(peer);
  const last = forwardedFor.split(',').at(-1)!.trim();
  return isIP(unmapped(last)) ? unmapped(last) : unmapped(peer);
}
