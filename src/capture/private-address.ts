// Which addresses are the monitor's own network: loopback, link-local, private and unique-local ranges.

import { BlockList, isIP } from 'node:net';

function ownNetworks(): BlockList {
  const list = new BlockList();
  for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
    list.addSubnet(net, prefix, 'ipv4');
  }
  for (const [net, prefix] of [['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10]] as const) list.addSubnet(net, prefix, 'ipv6');
  return list;
}

/**
 * True for an address of a loopback, link-local, private (RFC 1918, shared CGNAT, unique-local) or unspecified
 * range, IPv4-mapped IPv6 included. Anything else (documentation ranges too) is public.
 */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  const ip = mapped ? mapped[1]! : bare;
  const family = isIP(ip);
  if (family === 0) return false;
  return ownNetworks().check(ip, family === 4 ? 'ipv4' : 'ipv6');
}
