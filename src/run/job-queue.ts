// The scan job queue on a shared PostgreSQL database (pg-boss in its own schema): one queue per vantage, one waiting
// and one running job per target, expiry when a worker is lost.

import PgBoss from 'pg-boss';
import type { Sql } from '../store/sql.js';

/** One scheduled scan: a target's slot (its due time) at one vantage; `domain`, its registrable domain (politeness). */
export interface ScanJob { target: string; slot: string; vantage: string; domain?: string }

export interface JobQueue {
  /**
   * Sends a job in the caller's transaction (it commits with the schedule's advance, or not at all). False when the
   * target already has a job waiting at this vantage: the slot is coalesced into it, as missed runs are today.
   */
  enqueue(job: ScanJob): Promise<boolean>;
  /** Takes jobs of the vantage, at most `concurrency` at a time, only as a handler finishes: a busy worker takes none. */
  work(vantage: string, concurrency: number, handler: (job: ScanJob) => Promise<void>): Promise<void>;
  /** Jobs waiting at a vantage, and the due time of the oldest of them (null: none). */
  waiting(vantage: string): Promise<{ depth: number; oldestSlot: string | null }>;
  /** Stops taking jobs, waits up to `graceMs` for running handlers, and closes the queue's connections. */
  close(graceMs?: number): Promise<void>;
}

const queueName = (vantage: string) => `scan_${vantage.replace(/[^\w-]/g, '_')}`;

/** Jobs waiting at a vantage and the due time of the oldest, read without starting the queue (the web role's /metrics). */
export async function queueWaiting(sql: Sql, vantage: string): Promise<{ depth: number; oldestSlot: string | null }> {
  const { rows: installed } = await sql.query<{ found: string | null }>("SELECT CAST(to_regclass('pgboss.job') AS text) AS found", []);
  if (!installed[0]?.found) return { depth: 0, oldestSlot: null };
  const { rows } = await sql.query<{ depth: number; oldest: string | null }>(
    "SELECT COUNT(*) AS depth, MIN(data->>'slot') AS oldest FROM pgboss.job WHERE name = $1 AND state < 'active'",
    [queueName(vantage)],
  );
  return { depth: Number(rows[0]?.depth ?? 0), oldestSlot: rows[0]?.oldest ?? null };
}

/**
 * A vantage's queue for /metrics: waiting jobs, and the lag of the oldest due scan of its `targets`, whether it
 * waits as a job or as a schedule row no dispatcher has sent yet (none running, overloaded, or held for politeness).
 */
export async function queueMetrics(sql: Sql, vantage: string, now: Date, targets: string[]): Promise<{ vantage: string; depth: number; lagSeconds: number }> {
  const waiting = await queueWaiting(sql, vantage);
  // A paused target keeps its due time: it is not late.
  const { rows } = await sql.query<{ due: string | null }>(
    `SELECT MIN(next_run_at) AS due FROM schedule WHERE next_run_at <= $1 AND target = ANY(CAST($2 AS text[]))
       AND NOT EXISTS (SELECT 1 FROM settings WHERE key = 'paused:' || schedule.target)`,
    [now.toISOString(), targets],
  );
  const oldest = [waiting.oldestSlot, rows[0]?.due ?? null].filter((t): t is string => t !== null).sort()[0];
  return { vantage, depth: waiting.depth, lagSeconds: oldest ? Math.max(0, (now.getTime() - Date.parse(oldest)) / 1000) : 0 };
}

/** The jobs waiting at a vantage: which target, for which slot. */
export async function waitingJobs(sql: Sql, vantage: string): Promise<{ target: string; slot: string }[]> {
  const { rows } = await sql.query<{ target: string; slot: string }>(
    "SELECT data->>'target' AS target, data->>'slot' AS slot FROM pgboss.job WHERE name = $1 AND state < 'active'",
    [queueName(vantage)],
  );
  return rows;
}

/**
 * Scan jobs waiting or running for each of `domains` (registrable domains), across every vantage's queue, counted
 * under a transaction-level lock per domain: until the caller's transaction ends, no other dispatcher counts them, so
 * what it sends on the count holds.
 */
export async function inFlightByDomain(sql: Sql, domains: string[]): Promise<Map<string, number>> {
  const sorted = [...new Set(domains)].sort();
  const counts = new Map(sorted.map((d) => [d, 0]));
  if (sorted.length === 0) return counts;
  // In one order, so two dispatchers locking overlapping sets cannot deadlock.
  await sql.query("SELECT pg_advisory_xact_lock(hashtext('scriptwarden.domain:' || d)) FROM unnest(CAST($1 AS text[])) AS d ORDER BY d", [sorted]);
  const { rows } = await sql.query<{ domain: string; n: number }>(
    "SELECT data->>'domain' AS domain, COUNT(*) AS n FROM pgboss.job WHERE name LIKE 'scan\\_%' AND state IN ('created', 'retry', 'active') AND data->>'domain' = ANY(CAST($1 AS text[])) GROUP BY 1",
    [sorted],
  );
  for (const row of rows) counts.set(row.domain, Number(row.n));
  return counts;
}

export interface JobQueueOptions {
  /** A job a worker took and did not finish within this time is given to another worker. */
  expireMs: number;
  /** How often a waiting worker looks for a job. */
  pollMs?: number;
  /** Errors of the queue's own connections and of reporting a job's outcome (the database away): logged, not thrown. */
  onError?: (error: unknown) => void;
  vantages: string[];
}

export async function openJobQueue(url: string, sql: Sql, options: JobQueueOptions): Promise<JobQueue> {
  const expireInSeconds = Math.max(1, Math.ceil(options.expireMs / 1000));
  const boss = new PgBoss({
    connectionString: url,
    schema: 'pgboss',
    max: 4,
    application_name: 'scriptwarden-queue',
    // Expired jobs are found by maintenance: often enough that a lost worker's job moves on within about its expiry.
    maintenanceIntervalSeconds: Math.max(1, Math.min(60, Math.floor(expireInSeconds / 2))),
    monitorStateIntervalSeconds: 60,
    schedule: false,
    // The scan row is the record; a finished job is kept a while for inspection, then removed.
    archiveCompletedAfterSeconds: 900,
    deleteAfterHours: 24,
  });
  boss.on('error', (error) => options.onError?.(error));
  await boss.start();
  for (const vantage of options.vantages) {
    const name = queueName(vantage);
    if (!(await boss.getQueue(name))) {
      await boss.createQueue(name, { name, policy: 'stately', expireInSeconds, retryLimit: 3, retryDelay: 1 }).catch(async (error: unknown) => {
        // Another process created it at the same moment.
        if (!(await boss.getQueue(name))) throw error;
      });
    }
  }
  const inTransaction = { executeSql: (text: string, values: unknown[]) => sql.query(text, values) };
  const loops: Promise<void>[] = [];
  let stopping = false;
  const sleepers = new Set<() => void>();
  const pause = (ms: number) => new Promise<void>((resolve) => {
    const wake = () => { clearTimeout(timer); sleepers.delete(wake); resolve(); };
    const timer = setTimeout(wake, ms);
    sleepers.add(wake);
  });
  const report = (error: unknown) => options.onError?.(error);
  return {
    async enqueue(job) {
      const id = await boss.send(queueName(job.vantage), job, { singletonKey: job.target, expireInSeconds, db: inTransaction });
      return id !== null;
    },
    async work(vantage, concurrency, handler) {
      const name = queueName(vantage);
      // One loop per slot of capacity, each taking a job only once its previous one is done. The job's outcome is
      // reported and awaited here: while the database is away it cannot be, and the job expires and comes back.
      const loop = async () => {
        while (!stopping) {
          let job: PgBoss.Job<ScanJob> | undefined;
          try {
            [job] = await boss.fetch<ScanJob>(name, { batchSize: 1 });
          } catch (error) {
            report(error);
          }
          if (!job) {
            await pause(options.pollMs ?? 1000);
            continue;
          }
          try {
            await handler(job.data);
            await boss.complete(name, job.id).catch(report);
          } catch (error) {
            await boss.fail(name, job.id, { message: (error as Error).message ?? String(error) }).catch(report);
          }
        }
      };
      for (let i = 0; i < concurrency; i++) loops.push(loop());
    },
    waiting: (vantage) => queueWaiting(sql, vantage),
    async close(graceMs = 0) {
      stopping = true;
      for (const wake of [...sleepers]) wake();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.all(loops), new Promise((resolve) => { timer = setTimeout(resolve, graceMs); })]);
      clearTimeout(timer);
      await boss.stop({ graceful: false, wait: true });
    },
  };
}
