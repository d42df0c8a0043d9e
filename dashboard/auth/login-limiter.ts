// Counts failed sign-ins per client address in a sliding window, so one address cannot guess across many accounts.

export interface LoginLimiter {
  /** Seconds until the address may try again, or 0. */
  retryAfter(ip: string, now?: number): number;
  fail(ip: string, now?: number): void;
}

export function createLoginLimiter(maxFailures: number, windowMs: number): LoginLimiter {
  const failures = new Map<string, number[]>();
  const recent = (ip: string, now: number) => {
    const kept = (failures.get(ip) ?? []).filter((at) => now - at < windowMs);
    if (kept.length) failures.set(ip, kept);
    else failures.delete(ip);
    return kept;
  };
  return {
    retryAfter(ip, now = Date.now()) {
      const kept = recent(ip, now);
      return kept.length >= maxFailures ? Math.ceil((kept[0]! + windowMs - now) / 1000) : 0;
    },
    fail(ip, now = Date.now()) {
      // Bounded memory: a flood of addresses drops the oldest entries first.
      if (failures.size > 10_000) failures.delete(failures.keys().next().value!);
      failures.set(ip, [...recent(ip, now), now]);
    },
  };
}
