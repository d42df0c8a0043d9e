// Validators shared by the config schema: durations, URLs, counts, host patterns and schedules.

import { z } from 'zod';
import { cronError } from './cron.js';
import { parseDuration } from './duration.js';

export const duration = (fallback: string) =>
  z
    .union([z.number().int().positive(), z.string()])
    .default(fallback)
    .transform((value, ctx) => {
      if (typeof value === 'number') return value;
      const ms = parseDuration(value);
      if (ms === null || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: 'must be a duration such as 500ms, 30s or 2m' });
        return z.NEVER;
      }
      return ms;
    });

export const httpUrl = z.string({ error: 'must be an http(s) URL' }).refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}, 'must be an http(s) URL');

export const count = (min: number, max: number) =>
  z
    .number({ error: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);

export const hostPattern = z
  .string()
  .regex(/^(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*$/, 'must be a host name, optionally starting with *.');

/** `every: 15m` (any duration down to 1s) or a five-field `cron` expression: when the scheduler in `serve` scans. */
export const every = z.string({ error: 'must be a duration such as 30s, 15m or 1h' }).refine((value) => {
  const ms = parseDuration(value);
  return ms !== null && ms >= 1000;
}, 'must be a duration of at least 1s, such as 30s, 15m or 1h');
export const cron = z.string({ error: 'must be a cron expression' }).superRefine((value, ctx) => {
  const problem = cronError(value);
  if (problem) ctx.addIssue({ code: 'custom', message: `must be a cron expression such as "*/10 * * * *" (${problem})` });
});

/** A forward proxy scans leave through: http(s) with optional credentials, or SOCKS. */
export const proxyUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return ['http:', 'https:', 'socks4:', 'socks5:'].includes(url.protocol) && Boolean(url.hostname) && Boolean(url.port);
  } catch {
    return false;
  }
}, 'must be a proxy URL with a port: http://host:port, https://…, socks4://… or socks5://… (credentials allowed for http)');
