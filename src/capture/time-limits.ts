// The time one page capture may take: each journey step and the page itself get a page timeout, and the hard limit
// leaves room after the last of them for the settle, the canary pass and reading the scripts.

export interface CaptureTimeLimits {
  /** Until the scanned page must have loaded: one page timeout for the page and one per journey step. */
  loadMs: number;
  /** Past this the capture is stopped whatever it is doing (a hung page). */
  hardMs: number;
}

export function captureTimeLimits(pageTimeoutMs: number, journeySteps: number): CaptureTimeLimits {
  const loadMs = pageTimeoutMs * (1 + journeySteps);
  return { loadMs, hardMs: loadMs + pageTimeoutMs + 10_000 };
}
