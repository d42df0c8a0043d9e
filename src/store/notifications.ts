// Notification deliveries: queued once per alert, channel and event; attempts, backoff and outcome recorded.

import type { Db } from './database.js';

export interface NotificationRow {
  id: number;
  alertId: number;
  /** `webhook https://hooks.example`: the channel type and origin only, never a secret or a token in the path. */
  channel: string;
  channelKey: string;
  event: string;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  nextAttemptAt: string;
  lastError: string | null;
  sentAt: string | null;
  createdAt: string;
}

const SELECT = `SELECT id, alert_id AS "alertId", channel, channel_key AS "channelKey", event, status, attempts, next_attempt_at AS "nextAttemptAt",
  last_error AS "lastError", sent_at AS "sentAt", created_at AS "createdAt" FROM notifications`;

/** Queues a delivery unless this alert already has one for the channel and event (an alert notifies once). */
export async function queueNotification(db: Db, entry: { alertId: number; channel: string; channelKey: string; event: string }, now: string): Promise<void> {
  await db.prepare(
    `INSERT INTO notifications (alert_id, channel, channel_key, event, status, next_attempt_at, created_at)
     VALUES (?, ?, ?, ?, 'pending', ?, ?) ON CONFLICT (alert_id, channel_key, event) DO NOTHING`,
  ).run(entry.alertId, entry.channel, entry.channelKey, entry.event, now, now);
}

export async function dueNotifications(db: Db, now: string): Promise<NotificationRow[]> {
  return (await db.prepare(`${SELECT} WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY id`).all(now)) as NotificationRow[];
}

export async function pendingNotifications(db: Db): Promise<NotificationRow[]> {
  return (await db.prepare(`${SELECT} WHERE status = 'pending' ORDER BY next_attempt_at`).all()) as NotificationRow[];
}

/** How many notifications wait, counted in the database (for /metrics, without loading them). */
export async function pendingNotificationCount(db: Db): Promise<number> {
  return ((await db.prepare("SELECT COUNT(*) AS n FROM notifications WHERE status = 'pending'").get()) as { n: number }).n;
}

export async function notificationsFor(db: Db, alertId: number): Promise<NotificationRow[]> {
  return (await db.prepare(`${SELECT} WHERE alert_id = ? ORDER BY id`).all(alertId)) as NotificationRow[];
}

/**
 * Takes a due notification for one delivery attempt until `leaseUntil`: false when another process took it first, so
 * each is sent once whichever process delivers. One lost with its process is due again when the lease ends.
 */
export async function claimNotification(db: Db, id: number, now: string, leaseUntil: string): Promise<boolean> {
  const { changes } = await db.prepare("UPDATE notifications SET next_attempt_at = ? WHERE id = ? AND status = 'pending' AND next_attempt_at <= ?").run(leaseUntil, id, now);
  return changes === 1;
}

export async function recordAttempt(db: Db, id: number, outcome: { sent: true; at: string } | { sent: false; error: string; nextAttemptAt: string | null }): Promise<void> {
  if (outcome.sent) {
    await db.prepare("UPDATE notifications SET status = 'sent', attempts = attempts + 1, sent_at = ?, last_error = NULL WHERE id = ?").run(outcome.at, id);
  } else {
    await db.prepare('UPDATE notifications SET status = ?, attempts = attempts + 1, last_error = ?, next_attempt_at = COALESCE(?, next_attempt_at) WHERE id = ?')
      .run(outcome.nextAttemptAt === null ? 'failed' : 'pending', outcome.error.slice(0, 300), outcome.nextAttemptAt, id);
  }
}
