// The periodic work of whichever process schedules: anchoring the scan chains that moved, and retention.

import type { Config } from '../config/config.js';
import { parseDuration } from '../config/duration.js';
import { describeError } from '../errors.js';
import type { Store } from '../store/open-store.js';
import type { Logger } from './log.js';

const RETENTION_EVERY_MS = 6 * 3_600_000;
/** How often the heads of the scan chains that moved are anchored (and once more at a clean stop). */
const ANCHOR_EVERY_MS = 5 * 60_000;

export interface Housekeeping {
  /** Runs what is due at `at`; a failure is logged, never thrown. */
  tick(at: Date): Promise<void>;
  /** Anchors now, whatever the time since the last anchor (at a clean stop). */
  anchor(at: Date): Promise<void>;
}

/** Safe to run in several processes at once: each step is one transaction under the write lock. */
export function createHousekeeping(store: Store, config: Pick<Config, 'retention'>, log: Logger): Housekeeping {
  let lastAnchor = 0;
  let lastRetention = 0;
  const anchor = async (at: Date) => {
    lastAnchor = at.getTime();
    try {
      const anchored = await store.scans.anchor(at.toISOString());
      if (anchored) log.info('chain.anchored', `anchor #${anchored.id} over the heads of ${anchored.chains} scan chains: ${anchored.hash}`, { anchorId: anchored.id, chains: anchored.chains, hash: anchored.hash });
    } catch (error) {
      log.error('chain.anchor_failed', `cannot anchor the scan chains: ${describeError(error)}`);
    }
  };
  return {
    anchor,
    async tick(at) {
      if (at.getTime() - lastAnchor > ANCHOR_EVERY_MS) await anchor(at);
      if (!config.retention || at.getTime() - lastRetention <= RETENTION_EVERY_MS) return;
      lastRetention = at.getTime();
      const cutoff = new Date(at.getTime() - parseDuration(config.retention)!).toISOString();
      try {
        const report = await store.scans.retain(cutoff, at.toISOString());
        if (report.observationsRemoved > 0) log.info('retention', `retention removed ${report.observationsRemoved} observations from ${report.scans} scans before ${cutoff}`, { ...report });
      } catch (error) {
        log.error('retention.failed', `retention failed: ${describeError(error)}`);
      }
    },
  };
}
