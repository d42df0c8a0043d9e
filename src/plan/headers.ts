// Response-header helpers: drop per-response noise so identical responses store identical metadata.

const VOLATILE = new Set([
  'date', 'age', 'expires', 'set-cookie', 'keep-alive', 'connection', 'transfer-encoding',
  'x-request-id', 'x-amz-request-id', 'x-amz-id-2', 'x-amz-cf-id', 'x-amz-cf-pop', 'cf-ray',
  'x-served-by', 'x-timer', 'x-cache-hits', 'server-timing', 'x-runtime', 'x-trace-id',
  'traceparent', 'x-correlation-id', 'report-to', 'nel', 'x-response-time',
]);

/** Lower-cases names, drops headers that differ on every response, and sorts for a stable encoding. */
export function stableHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(headers).map((n) => n.toLowerCase()).sort()) {
    if (VOLATILE.has(name)) continue;
    const value = Object.entries(headers).find(([n]) => n.toLowerCase() === name)?.[1];
    if (value !== undefined) out[name] = value;
  }
  return out;
}
