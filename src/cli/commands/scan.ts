// `scriptwarden scan`: scans the configured targets and reports new alerts through the exit code.

import { openVantageCapturer } from '../../run/vantage-capturer.js';
import { configuredVantages } from '../../config/vantages.js';
import { loadConfig } from '../../config/config.js';
import { ScriptwardenError } from '../../errors.js';
import { loadIntel } from '../../run/load-intel.js';
import { runScan, selectTargets } from '../../run/run-scan.js';
import { notifyAfterScan } from '../../run/notify.js';
import { formatOutcome, formatScanSummary, safeText } from '../output.js';
import { openStore } from '../../store/open-store.js';
import { EXIT, type CommandContext } from './context.js';

export interface ScanOptions {
  config?: string;
  target?: string[];
  json?: boolean;
}

export async function scanCommand(options: ScanOptions, ctx: CommandContext): Promise<number> {
  const config = loadConfig(options.config, ctx.cwd, ctx.env);
  const targets = selectTargets(config, options.target);
  const unknown = (options.target ?? []).filter((name) => !config.targets.some((t) => t.name === name));
  if (unknown.length > 0) {
    throw new ScriptwardenError('USAGE', `unknown target ${unknown.map((n) => `"${n}"`).join(', ')}; configured: ${config.targets.map((t) => t.name).join(', ')}`);
  }
  const intel = loadIntel(config.intel);
  const capturer = await openVantageCapturer(ctx.openCapturer, config, targets.some((t) => t.type === 'page'), configuredVantages(config));
  const store = await openStore(config.database);
  // Planning and analysis of what pages served run in worker threads, each task within its time budget.
  const analysis = await ctx.openAnalysis({ intel: config.intel, budgetMs: config.limits.analysisBudget });
  const live = ctx.stderr.isTTY;
  try {
    const run = await runScan(
      { config, store, capturer, targets, intel, analysis },
      {
        onStart: ({ target, profile, index, total }) => {
          if (live) ctx.stderr.write(`[${index + 1}/${total}] scanning ${safeText(target, 40)} (${profile})…\n`);
        },
        onDone: (outcome, index, total) => {
          const line = formatOutcome(outcome, index, total);
          if (options.json) {
            if (live) ctx.stderr.write(`${line}\n`);
          } else {
            ctx.stdout.write(`${line}\n`);
          }
        },
      },
    );
    // The heads of the chains this run moved are anchored, so removing its scans later shows in verify.
    await store.scans.anchor();
    // Notifications go out after the results are stored, so a slow or failing receiver never holds a scan back.
    await notifyAfterScan(store, config, run.alerts, (line) => ctx.stderr.write(`${line}\n`));
    const failed = run.targets.filter((t) => t.status === 'failed').length;
    const exitCode = run.alerts.length > 0 ? EXIT.newAlerts : failed > 0 ? EXIT.targetsFailed : EXIT.ok;
    if (options.json) {
      ctx.stdout.write(`${JSON.stringify({ ...run, exitCode }, null, 2)}\n`);
    } else {
      ctx.stdout.write(`${formatScanSummary(run)}\n`);
    }
    return exitCode;
  } finally {
    await store.close();
    await capturer.close();
    await analysis.close();
  }
}
