// `scriptwarden sample`: loads each target once more and learns which literals change on every load.

import { openVantageCapturer } from '../../run/vantage-capturer.js';
import { configuredVantages } from '../../config/vantages.js';
import { loadConfig } from '../../config/config.js';
import { ScriptwardenError } from '../../errors.js';
import { loadIntel } from '../../run/load-intel.js';
import { selectTargets } from '../../run/run-scan.js';
import { runSample, type SampleOutcome } from '../../run/run-sample.js';
import { safeText } from '../output.js';
import { openStore } from '../../store/open-store.js';
import { EXIT, type CommandContext } from './context.js';

function describe(outcome: SampleOutcome): string[] {
  const head = `${safeText(outcome.target, 40)} (${outcome.profile}): `;
  if (outcome.status === 'failed') return [`${head}load failed: ${safeText(outcome.error?.message ?? '', 200)}`];
  if (outcome.status === 'no-baseline') return [`${head}no baseline yet; run "scriptwarden scan" first (it takes its own samples)`];
  if (outcome.scripts.length === 0) return [`${head}every script matches its baseline; nothing to learn`];
  return [`${head}${outcome.scripts.length} script(s) differ from their baseline`, ...outcome.scripts.map((s) => {
    const what = s.structural
      ? `differs in code, not only in values${s.learned ? ` (also learned ${s.learned} volatile value(s))` : ''}; review it with "scriptwarden scan"`
      : `learned ${s.learned} volatile value(s)${s.examples.length ? `: ${s.examples.map((e) => safeText(e, 60)).join('; ')}` : ''}`;
    return `  #${s.scriptId} ${safeText(s.key, 100)}: ${what}${s.nowMatches ? '; now matches its baseline' : ''}`;
  })];
}

export async function sampleCommand(options: { config?: string; target?: string[]; json?: boolean }, ctx: CommandContext): Promise<number> {
  const config = loadConfig(options.config, ctx.cwd, ctx.env);
  const unknown = (options.target ?? []).filter((name) => !config.targets.some((t) => t.name === name));
  if (unknown.length) throw new ScriptwardenError('USAGE', `unknown target ${unknown.map((n) => `"${n}"`).join(', ')}`);
  const targets = selectTargets(config, options.target);
  const intel = loadIntel(config.intel);
  const capturer = await openVantageCapturer(ctx.openCapturer, config, targets.some((t) => t.type === 'page'), configuredVantages(config));
  const store = await openStore(config.database);
  try {
    const outcomes = await runSample({ config, store, capturer, intel, targets }, (outcome) => {
      if (!options.json) ctx.stdout.write(`${describe(outcome).join('\n')}\n`);
    });
    if (options.json) ctx.stdout.write(`${JSON.stringify({ samples: outcomes }, null, 2)}\n`);
    return outcomes.some((o) => o.status === 'failed') ? EXIT.targetsFailed : EXIT.ok;
  } finally {
    await store.close();
    await capturer.close();
  }
}
