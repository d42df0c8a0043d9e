// `scriptwarden serve --role collector`: only the CSP report collector (POST /reports/csp/KEY), on its own port,
// without sign-in, until SIGTERM: the one part that faces the internet, run apart from the dashboard.

import type { Config } from '../../config/config.js';
import { describeError, ScriptwardenError } from '../../errors.js';
import type { Logger } from '../../run/log.js';
import { createCollector } from '../../run/visitor-collector.js';
import { openStore } from '../../store/open-store.js';
import { EXIT, type CommandContext } from './context.js';
import { reportedScriptFetcher } from '../crawler-factory.js';
import { runAtIdlePriority } from '../idle-priority.js';

export async function collectorRole(config: Config, log: Logger, ctx: CommandContext, listen: { port: number; host: string }): Promise<number> {
  // The collector yields the CPU to the dashboard and the scans on the same machine: a flood of reports waits, they do
  // not. On a machine of its own, nothing else wants the CPU, and it has all of it.
  const priority = runAtIdlePriority();
  const store = await openStore(config.database);
  const collector = createCollector({ config, store, log, fetchScript: await reportedScriptFetcher(config) });
  try {
    const d = config.dashboard;
    // No sign-in here at all (browsers cannot sign in): the settings are the dashboard's, and unused.
    const auth = { allowOpen: false, idleMs: d.sessionIdle, absoluteMs: d.sessionMax, lockout: { maxFailures: d.lockoutAfter, lockMs: d.lockoutFor }, loginAttemptsPerIp: d.loginAttemptsPerIp };
    const app = await ctx.createDashboard({
      store, actor: ctx.defaultActor, log: (line) => log.error('collector', line), version: ctx.version, collector, collectorOnly: true,
      auth, trustProxy: d.trustProxy ?? false, notifyChannels: [], targetNames: config.targets.map((t) => t.name),
    });
    let address: { url: string };
    try {
      address = await app.listen(listen.port, listen.host);
    } catch (error) {
      throw new ScriptwardenError('USAGE', `cannot listen on ${listen.host}:${listen.port}: ${describeError(error)}`);
    }
    log.info('serve.started', `CSP report collector: ${address.url}reports/csp/KEY (CPU priority: ${priority})`, { role: 'collector', url: address.url, priority });
    const signal = await ctx.waitForShutdown();
    log.info('serve.stopping', `${signal} received`, { signal });
    await app.close();
    log.info('serve.stopped', 'stopped cleanly');
    return EXIT.ok;
  } finally {
    await collector.close();
    await store.close();
  }
}
