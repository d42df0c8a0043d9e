// The `notify` part of the config: webhook, Slack and email channels, and their `env:NAME` secrets.

import { z } from 'zod';
import { httpUrl } from './config-parts.js';

const severity = z.enum(['info', 'low', 'medium', 'high', 'critical'], { error: 'must be one of info, low, medium, high, critical' });
/** A secret given literally or as `env:NAME`, read from the environment when the config is loaded. */
const secret = z.string().min(1, 'must not be empty');
const channelCommon = {
  url: httpUrl,
  minSeverity: severity.default('low'),
  /** change: script, header and connection alerts; health: target health (issue 6's scheduler). */
  events: z.array(z.enum(['change', 'health'], { error: 'must be change or health' })).min(1).default(['change', 'health']),
};
const smtpUrl = z.string({ error: 'must be an smtp:// or smtps:// URL' }).refine((value) => {
  if (value.startsWith('env:')) return value.length > 4;
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && Boolean(url.hostname);
  } catch {
    return false;
  }
}, 'must be an smtp:// or smtps:// URL (smtp://user:pass@host:587), or env:NAME');
const mailbox = z.string().regex(/^[^\s@<>",;]+@[^\s@<>",;]+$/, 'must be an email address');
export const notifySchema = z.array(
  z.discriminatedUnion('type', [
    z.strictObject({ type: z.literal('webhook'), ...channelCommon, secret: secret.optional() }),
    z.strictObject({ type: z.literal('slack'), ...channelCommon }),
    z.strictObject({
      type: z.literal('email'),
      smtp: smtpUrl,
      to: z.array(mailbox, { error: 'must be a list of email addresses' }).min(1, 'must list at least one address'),
      from: mailbox.default('scriptwarden@localhost'),
      minSeverity: channelCommon.minSeverity,
      events: channelCommon.events,
    }),
  ], { error: 'must be webhook, slack or email' }),
).default([]);

/** `env:NAME` secrets that are not set in the environment, as config errors with their paths. */
export function missingSecrets(raw: unknown, env: Record<string, string | undefined>): string[] {
  const notify = (raw as { notify?: unknown } | null)?.notify;
  if (!Array.isArray(notify)) return [];
  return notify.flatMap((channel, i) => (['secret', 'smtp'] as const).flatMap((key) => {
    const value = (channel as Record<string, unknown> | null)?.[key];
    if (typeof value !== 'string' || !value.startsWith('env:')) return [];
    return env[value.slice(4)] ? [] : [`notify[${i}].${key}: environment variable ${value.slice(4)} is not set`];
  }));
}

/** Reads `env:NAME` values of a channel from the environment. */
export function withSecrets<T extends Record<string, unknown>>(channel: T, env: Record<string, string | undefined>): T {
  const out: Record<string, unknown> = { ...channel };
  for (const key of ['secret', 'smtp']) {
    const value = out[key];
    if (typeof value === 'string' && value.startsWith('env:')) out[key] = env[value.slice(4)];
  }
  return out as T;
}
