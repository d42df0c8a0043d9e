// Times HTTP requests to a local server: median, p95 and p99 over a number of sequential requests.

export interface Latency { median: number; p95: number; p99: number; bytes: number }

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export function summarize(samples: number[], bytes = 0): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  return { median: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), bytes };
}

/** `count` requests one after another; any status but 200 stops the bench. */
export async function timeRequests(url: string, count: number, headers: Record<string, string> = {}): Promise<Latency> {
  const samples: number[] = [];
  let bytes = 0;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers });
    const body = await response.text();
    samples.push(performance.now() - started);
    if (response.status !== 200) throw new Error(`${url}: HTTP ${response.status}`);
    bytes = body.length;
  }
  return summarize(samples, bytes);
}
