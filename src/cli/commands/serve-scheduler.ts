// `scriptwarden serve --role scheduler`: dispatches due scans to the shared queue, anchors the chains, runs retention
// and delivers notifications, until SIGTERM. Several may run at once; each due slot is sent once.

import type { Config } from '../../config/config.js';
import { createDispatcher } from '../../run/dispatcher.js';
import { configuredVantages } from '../../config/vantages.js';
import { describeError } from '../../errors.js';
import { openJobQueue } from '../../run/job-queue.js';
import type { Logger } from '../../run/log.js';
import { startDelivery } from '../../run/notify.js';
import { openStore } from '../../store/open-store.js';
import { EXIT, type CommandContext } from './context.js';

export async function schedulerRole(config: Config, log: Logger, ctx: CommandContext): Promise<number> {
  const store = await openStore(config.database);
  try {
    const queue = await openJobQueue(config.database, store.database, { expireMs: config.queue.jobExpiry, vantages: configuredVantages(config), onError: (error) => log.warn('queue.error', `job queue: ${describeError(error)}`) });
    const dispatcher = createDispatcher({ config, store, queue, log });
    await dispatcher.start();
    const delivery = startDelivery(store, config, (line) => log.warn('notify.failed', line));
    log.info('serve.started', `scheduler dispatching ${config.targets.length} targets to the queue`, { role: 'scheduler', targets: config.targets.length });
    const signal = await ctx.waitForShutdown();
    log.info('serve.stopping', `${signal} received`, { signal });
    await dispatcher.stop();
    await delivery.stop();
    await queue.close();
    log.info('serve.stopped', 'stopped cleanly');
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
