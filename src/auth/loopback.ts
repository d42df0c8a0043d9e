// Whether a host name or address stays on this machine: 127.0.0.0/8, ::1 and localhost.

/** `host` without a port; IPv6 may be bracketed. Anything else (0.0.0.0 included) reaches other machines. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}
