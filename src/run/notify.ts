// Sends alert notifications (signed webhooks, Slack, email) after a scan: each alert once, retried with backoff, never blocking scans.

import { createHmac } from 'node:crypto';
import { emailMessage, escapeHtml, slackBody, webhookBody, type AlertEvent } from './notify-messages.js';
import type { Config } from '../config/config.js';
import { sha256Hex } from '../plan/fingerprint.js';
import type { AlertWithDetails } from '../store/alerts.js';
import type { Store } from '../store/open-store.js';
import { severityRank } from '../capture/types.js';

export type Channel = Config['notify'][number];

/** About two hours of attempts: 1, 2, 4 … 256 s, then every 5 minutes. */
const MAX_ATTEMPTS = 30;
const TIMEOUT_MS = 5000;

export { emailMessage, slackBody, webhookBody, type AlertEvent };

export function channelKey(channel: Channel): string {
  return sha256Hex(channel.type === 'email' ? `email ${channel.smtp} ${channel.to.join(',')}` : `${channel.type} ${channel.url}`);
}

/** How a channel is named in logs and the dashboard: type and origin, never a path (Slack puts its token there) or a password. */
export function channelLabel(channel: Channel): string {
  if (channel.type === 'email') {
    let host = '?';
    try {
      host = new URL(channel.smtp).host;
    } catch {
      host = '?';
    }
    return `email ${host} to ${channel.to.join(', ')}`;
  }
  return `${channel.type} ${new URL(channel.url).origin}`;
}

function eventKind(alert: AlertWithDetails): 'change' | 'health' {
  return alert.type.startsWith('target.') ? 'health' : 'change';
}

/** Seconds before retry n (1-based): 1, 2, 4, 8, 16 … doubling up to 300. */
export function backoffSeconds(attempt: number): number {
  return Math.min(300, 2 ** (attempt - 1));
}

/** `sha256=<hex>`: HMAC-SHA256 of the raw body with the channel's secret. */
export function signature(body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Queues one delivery per new alert and matching channel (event kind and minimum severity). */
export async function queueNotifications(store: Store, channels: Channel[], alerts: AlertWithDetails[], now: string, event: AlertEvent = 'alert.opened'): Promise<number> {
  let queued = 0;
  for (const alert of alerts) {
    for (const channel of channels) {
      if (!channel.events.includes(eventKind(alert)) || severityRank(alert.severity) < severityRank(channel.minSeverity)) continue;
      await store.notifications.queue({ alertId: alert.id, channel: channelLabel(channel), channelKey: channelKey(channel), event }, now);
      queued++;
    }
  }
  return queued;
}

async function sendEmail(channel: Extract<Channel, { type: 'email' }>, message: ReturnType<typeof emailMessage>): Promise<void> {
  // nodemailer is loaded only when an email is due: most commands never send one.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport(channel.smtp, { connectionTimeout: TIMEOUT_MS, greetingTimeout: TIMEOUT_MS, socketTimeout: TIMEOUT_MS * 2 });
  try {
    await transport.sendMail({ from: channel.from, to: channel.to, subject: message.subject, text: message.text, html: message.html });
  } catch (error) {
    // nodemailer's messages name the server's reply, never the credentials.
    const detail = error as Error & { code?: string; responseCode?: number };
    throw new Error(`SMTP ${detail.responseCode ?? detail.code ?? 'error'}: ${(detail.message ?? '').split('\n')[0]!.slice(0, 200)}`);
  } finally {
    transport.close();
  }
}

async function post(channel: Exclude<Channel, { type: 'email' }>, body: string): Promise<void> {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'user-agent': 'scriptwarden' };
  if (channel.type === 'webhook' && channel.secret) headers['x-scriptwarden-signature'] = signature(body, channel.secret);
  let response: Response;
  try {
    response = await fetch(channel.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (error) {
    throw new Error(`cannot reach the receiver (${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).name})`);
  }
  await response.arrayBuffer().catch(() => undefined);
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
}

/** Sends what is due now; failures are retried later with backoff, and logged without secrets. */
/** How long one delivery attempt holds its notification; longer than any channel's own timeout. */
const DELIVERY_LEASE_MS = 120_000;

export async function deliverDue(
  store: Store,
  config: Pick<Config, 'notify' | 'dashboardUrl'>,
  log: (line: string) => void,
  now: () => Date = () => new Date(),
): Promise<void> {
  for (const row of await store.notifications.due(now().toISOString())) {
    // Several processes may deliver (serve on many machines): each notification goes out from the one that takes it.
    const at = now();
    if (!(await store.notifications.claim(row.id, at.toISOString(), new Date(at.getTime() + DELIVERY_LEASE_MS).toISOString()))) continue;
    const channel = config.notify.find((c) => channelKey(c) === row.channelKey);
    const alert = await store.alerts.get(row.alertId);
    if (!channel || !alert) {
      await store.notifications.record(row.id, { sent: false, error: channel ? 'alert no longer exists' : 'channel no longer configured', nextAttemptAt: null });
      continue;
    }
    const event = row.event as AlertEvent;
    try {
      if (channel.type === 'email') await sendEmail(channel, emailMessage(alert, config.dashboardUrl, event));
      else await post(channel, channel.type === 'webhook' ? webhookBody(alert, event) : slackBody(alert, config.dashboardUrl, event));
      await store.notifications.record(row.id, { sent: true, at: now().toISOString() });
    } catch (error) {
      const attempt = row.attempts + 1;
      const last = attempt >= MAX_ATTEMPTS;
      const next = last ? null : new Date(now().getTime() + backoffSeconds(attempt) * 1000).toISOString();
      await store.notifications.record(row.id, { sent: false, error: (error as Error).message, nextAttemptAt: next });
      log(`notify: ${row.channel} for alert #${row.alertId} failed (${(error as Error).message}); ${last ? `giving up after ${attempt} attempts` : `retry ${attempt} of ${MAX_ATTEMPTS - 1} in ${backoffSeconds(attempt)} s`}`);
    }
  }
}

export interface SettingChange {
  setting: string;
  before: string;
  after: string;
  by: string;
  at: string;
}

/**
 * A change of a security setting (the approval policy) told to every channel at once, whatever its event filter: it
 * is sent now, not queued with an alert, and a channel that fails is logged (the audit log keeps the change).
 */
export async function notifySettingChange(config: Pick<Config, 'notify' | 'dashboardUrl'>, change: SettingChange, log: (line: string) => void): Promise<void> {
  const text = `scriptwarden: the ${change.setting} setting changed from "${change.before}" to "${change.after}" (${change.by}, ${change.at})`;
  for (const channel of config.notify) {
    try {
      if (channel.type === 'email') {
        await sendEmail(channel, { subject: `scriptwarden: ${change.setting} setting changed`, text, html: `<p>${escapeHtml(text)}</p>` });
      } else if (channel.type === 'webhook') {
        await post(channel, JSON.stringify({ event: 'setting.changed', ...change }));
      } else {
        await post(channel, JSON.stringify({ text }));
      }
    } catch (error) {
      log(`notify: ${channelLabel(channel)} was not told of the ${change.setting} change (${(error as Error).message})`);
    }
  }
}

/**
 * A decision on an alert is told to the channels that were told it opened: `alert.resolved` when it was approved
 * (the change is accepted), `alert.updated` when it was rejected (confirmed unauthorized: the incident goes on).
 */
export async function queueDecisions(store: Store, channels: Channel[], alerts: AlertWithDetails[], now: string): Promise<number> {
  let queued = 0;
  for (const alert of alerts) {
    // Still open: an approval that waits for another person's is not a decision yet.
    if (alert.status === 'open') continue;
    const told = new Set((await store.notifications.forAlert(alert.id)).filter((n) => n.event === 'alert.opened').map((n) => n.channelKey));
    const event: AlertEvent = alert.status === 'rejected' ? 'alert.updated' : 'alert.resolved';
    for (const channel of channels) {
      if (!told.has(channelKey(channel))) continue;
      await store.notifications.queue({ alertId: alert.id, channel: channelLabel(channel), channelKey: channelKey(channel), event }, now);
      queued++;
    }
  }
  return queued;
}

/** Delivers what is due, waiting for retries up to windowMs, then leaves the rest pending. */
export async function deliverWithin(store: Store, config: Pick<Config, 'notify' | 'dashboardUrl'>, log: (line: string) => void, windowMs = 8000): Promise<void> {
  if (config.notify.length === 0) return;
  const until = Date.now() + windowMs;
  for (;;) {
    await deliverDue(store, config, log);
    const next = (await store.notifications.pending())[0];
    if (!next) return;
    const wait = new Date(next.nextAttemptAt).getTime() - Date.now();
    if (Date.now() + Math.max(0, wait) > until) return;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, wait)));
  }
}

/** After a scan: queue the new alerts' notifications, then deliver for a few seconds. */
export async function notifyAfterScan(store: Store, config: Config, alerts: AlertWithDetails[], log: (line: string) => void, windowMs = 8000): Promise<void> {
  if (config.notify.length === 0) return;
  await queueNotifications(store, config.notify, alerts, new Date().toISOString());
  await deliverWithin(store, config, log, windowMs);
}

/** For `serve`: delivers due notifications every `everyMs`, one round at a time, until stopped. */
export function startDelivery(store: Store, config: Pick<Config, 'notify' | 'dashboardUrl'>, log: (line: string) => void, everyMs = 1000): { stop(): Promise<void> } {
  let running: Promise<void> | null = null;
  const round = () => {
    if (running || config.notify.length === 0) return;
    running = deliverDue(store, config, log).catch((error) => log(`notify: delivery failed: ${(error as Error).message}`)).finally(() => { running = null; });
  };
  const timer = setInterval(round, everyMs);
  round();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
