// Parses human durations such as "30s", "500ms", "2m" into milliseconds.

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Returns milliseconds, or null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)\s*$/.exec(text);
  if (!match) return null;
  const value = Number(match[1]) * UNITS[match[2]!]!;
  return Number.isFinite(value) ? Math.round(value) : null;
}
