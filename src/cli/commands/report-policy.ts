// `scriptwarden report-policy TARGET`: the Content-Security-Policy-Report-Only header (from the approved inventory)
// that makes visitors' browsers report to the collector what the crawler may not see. It blocks nothing.

import { loadConfig } from '../../config/config.js';
import { ScriptwardenError } from '../../errors.js';
import { hardenTarget } from '../../run/harden.js';
import { openStore } from '../../store/open-store.js';
import { reportKeyOf } from '../../store/visitor-reports.js';
import { EXIT, type CommandContext } from './context.js';

export async function reportPolicyCommand(name: string, opts: { config?: string; url?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  const config = loadConfig(opts.config, ctx.cwd, ctx.env);
  const target = config.targets.find((t) => t.name === name);
  if (!target || target.type !== 'page') throw new ScriptwardenError('USAGE', `no page target named "${name}"`);
  const base = opts.url ?? config.dashboardUrl;
  if (!base || !/^https?:\/\//.test(base)) throw new ScriptwardenError('USAGE', 'the collector\'s address is needed: --url https://reports.example (or dashboardUrl in the config)');
  const store = await openStore(config.database);
  try {
    const key = await reportKeyOf(store.database, target.name, new Date().toISOString());
    const endpoint = `${base.replace(/\/+$/, '')}/reports/csp/${key}`;
    const { proposal } = await hardenTarget({ config, store, capturer: null }, target);
    // Samples of blocked inline code help tell a skimmer from a forgotten tag.
    const policy = `${proposal.policy.replace(/^script-src /, "script-src 'report-sample' ")}; report-uri ${endpoint}; report-to scriptwarden`;
    const headers = { 'Content-Security-Policy-Report-Only': policy, 'Reporting-Endpoints': `scriptwarden="${endpoint}"` };
    ctx.stdout.write(opts.json ? `${JSON.stringify({ target: target.name, endpoint, headers }, null, 2)}\n` : `${Object.entries(headers).map(([h, v]) => `${h}: ${v}`).join('\n')}\n`);
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
