// `scriptwarden harden TARGET`: a Content-Security-Policy (Report-Only to start) and SRI snippets from the approved
// inventory, proved by replaying the page with the policy enforced, and what is weak in the page's policy today.

import { loadConfig } from '../../config/config.js';
import { configuredVantages } from '../../config/vantages.js';
import { ScriptwardenError } from '../../errors.js';
import { hardenTarget, type HardenResult } from '../../run/harden.js';
import { openVantageCapturer } from '../../run/vantage-capturer.js';
import { openStore } from '../../store/open-store.js';
import { safeText } from '../output.js';
import { EXIT, type CommandContext } from './context.js';

/** The proposal in words; every part a page supplied (URLs, policies) made safe for a terminal. */
export function formatHarden(r: HardenResult): string {
  const p = r.proposal;
  const lines = [`harden ${safeText(r.target, 64)} (${safeText(r.page, 200)})`, '', 'Proposed policy (deploy as Report-Only first; it blocks nothing until you rename the header):', `  ${p.header}: ${safeText(p.policy, 20_000)}`];
  for (const note of p.notes) lines.push(`  note: ${note}`);
  lines.push('', r.replays.length === 0 ? 'Not proved: no browser was available to replay the page.' : r.safe
    ? `Safe: replayed with the policy enforced in ${r.replays.map((x) => x.profile).join(', ')}, no violation.`
    : 'Not safe: replayed with the policy enforced, it would break:');
  for (const replay of r.replays) {
    if (!replay.ok) lines.push(`  ${replay.profile}: the replay did not complete: ${safeText(replay.error, 300)}`);
    for (const v of replay.violations) lines.push(`  ${replay.profile}: ${safeText(v.directive, 40)} blocks ${safeText(v.blocked, 200)}${v.source ? ` (from ${safeText(v.source, 200)})` : ''}; fix: ${safeText(v.fix, 300)}`);
  }
  lines.push('', `Subresource Integrity (${p.sri.length} static scripts at versioned URLs):`);
  for (const s of p.sri) lines.push(`  ${safeText(s.snippet, 2000)}`);
  if (p.noSri.length) lines.push('', 'Scripts that must not get an integrity value:');
  for (const s of p.noSri) lines.push(`  ${safeText(s.url, 200)}: ${safeText(s.reason, 300)}`);
  lines.push('', `The page's policy today: ${p.current.policy ? safeText(p.current.policy, 2000) : 'none'}`);
  for (const w of p.current.weaknesses) lines.push(`  - ${safeText(w, 400)}`);
  return lines.join('\n');
}

export async function hardenCommand(name: string, opts: { config?: string; json?: boolean }, ctx: CommandContext): Promise<number> {
  const config = loadConfig(opts.config, ctx.cwd, ctx.env);
  const target = config.targets.find((t) => t.name === name);
  if (!target) throw new ScriptwardenError('USAGE', `unknown target "${name}"; the config's targets are ${config.targets.map((t) => t.name).slice(0, 20).join(', ')}`);
  if (target.type !== 'page') throw new ScriptwardenError('USAGE', `${name} is a resource target: a policy is proposed for pages (give a hosted file an expect: source instead)`);
  const store = await openStore(config.database);
  try {
    const capturer = await openVantageCapturer(ctx.openCapturer, config, true, configuredVantages(config));
    try {
      const result = await hardenTarget({ config, store, capturer }, target);
      ctx.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatHarden(result)}\n`);
      // Like a scan's new alerts, a proposal that would break the page needs attention.
      return result.safe ? EXIT.ok : EXIT.newAlerts;
    } finally {
      await capturer.close();
    }
  } finally {
    await store.close();
  }
}
