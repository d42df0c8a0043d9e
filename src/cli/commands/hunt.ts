// `scriptwarden hunt`: since when were we serving it? Every stored version, destination and evidence file that names
// a host, has a hash, contains a string or matches a regular expression, with where, when and what was decided.

import { huntMatcher, type HuntKind } from '../../detect/hunt-query.js';
import { ScriptwardenError } from '../../errors.js';
import { runHunt, type HuntResult } from '../../run/hunt.js';
import type { HuntAlert } from '../../store/hunt.js';
import { safeText } from '../output.js';
import { recheckIntel } from '../../run/intel-recheck.js';
import { loadIntel } from '../../run/load-intel.js';
import { EXIT, withStore, type CommandContext } from './context.js';

export interface HuntOptions { config?: string; host?: string; sha256?: string; string?: string; regex?: string; intel?: boolean; json?: boolean }

const KINDS: HuntKind[] = ['host', 'sha256', 'string', 'regex'];

const day = (time: string | null) => (time ? time.slice(0, 19).replace('T', ' ') : 'not kept');
const alertLine = (a: HuntAlert) => {
  const last = a.decisions.at(-1);
  const decided = last ? ` ${last.status} by ${safeText(last.by, 40)} ${day(last.at)}${last.note ? ` "${safeText(last.note, 80)}"` : ''}` : '';
  return `#${a.id} ${a.type} ${a.severity} ${a.status}${decided}`;
};

/** The result in words, every attacker-controlled part made safe for a terminal. */
export function formatHunt(result: HuntResult): string {
  const { versions, destinations, evidence } = result;
  const lines = [`hunt ${result.query.kind} ${safeText(result.query.value, 120)}: ${versions.length} script version${versions.length === 1 ? '' : 's'}, ${destinations.length} destination${destinations.length === 1 ? '' : 's'}, ${evidence.length} evidence file${evidence.length === 1 ? '' : 's'} (searched ${result.searched.bodies} bodies, ${result.searched.evidence} evidence files)`];
  if (versions.length) lines.push('', 'script versions (first seen, last seen):');
  for (const v of versions) {
    lines.push(`  ${safeText(v.target, 40)} ${safeText(v.profile, 30)} ${safeText(v.url ?? v.script, 120)}  sha256 ${v.sha256.slice(0, 16)}…  ${v.state ?? 'never approved'}  ${day(v.firstSeen)} → ${day(v.lastSeen)}  matched: ${v.matched.join(', ')}`);
    for (const a of v.alerts) lines.push(`      alert ${alertLine(a)}`);
  }
  if (destinations.length) lines.push('', 'destinations (first seen, last seen):');
  for (const d of destinations) {
    lines.push(`  ${safeText(d.target, 40)} ${safeText(d.profile, 30)} ${safeText(d.host, 120)}  ${day(d.firstSeen)} → ${day(d.lastSeen)}`);
    for (const a of d.alerts) lines.push(`      alert ${alertLine(a)}`);
  }
  if (evidence.length) lines.push('', 'evidence files:');
  for (const e of evidence) lines.push(`  ${safeText(e.target, 40)} ${safeText(e.profile, 30)} scan ${e.scanId} ${safeText(e.name, 60)}  ${day(e.at)}`);
  return lines.join('\n');
}

/** `hunt --intel`: the re-check a scan makes first, on its own: new known-bad hosts and vulnerabilities in what was approved. */
async function huntIntel(opts: HuntOptions, ctx: CommandContext): Promise<number> {
  return withStore(opts.config, ctx, async (store, config) => {
    const result = await recheckIntel(store, loadIntel(config.intel));
    if (opts.json) ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else {
      const lines = [`intel re-check: ${result.knownBadAdded.length} host${result.knownBadAdded.length === 1 ? '' : 's'} new on the known-bad list${result.knownBadAdded.length ? ` (${result.knownBadAdded.map((h) => safeText(h, 80)).join(', ')})` : ''}, library data ${result.librariesChanged ? 'changed' : 'unchanged'}; ${result.raised.length} alert${result.raised.length === 1 ? '' : 's'} raised`];
      for (const a of result.raised) lines.push(`  #${a.id} ${a.severity} ${a.type} on ${safeText(a.target, 40)} (${safeText(a.profile, 30)}): ${safeText(a.summary, 300)}`);
      ctx.stdout.write(`${lines.join('\n')}\n`);
    }
    return result.raised.length ? EXIT.newAlerts : EXIT.ok;
  });
}

export async function huntCommand(opts: HuntOptions, ctx: CommandContext): Promise<number> {
  const given = KINDS.filter((k) => opts[k] !== undefined);
  if (opts.intel) {
    if (given.length) throw new ScriptwardenError('USAGE', `--intel checks what was approved against the intelligence; give it alone (not with ${given.map((k) => `--${k}`).join(' and ')})`);
    return huntIntel(opts, ctx);
  }
  if (given.length !== 1) throw new ScriptwardenError('USAGE', `give exactly one of --host, --sha256, --string or --regex${given.length ? ` (not ${given.map((k) => `--${k}`).join(' and ')})` : ''}, or --intel`);
  const matcher = huntMatcher({ kind: given[0]!, value: opts[given[0]!]! });
  return withStore(opts.config, ctx, async (store) => {
    const live = ctx.stderr.isTTY && !opts.json;
    const result = await runHunt(store, matcher, live ? { progress: (done, total) => ctx.stderr.write(`\rsearching ${done} of ${total} stored bodies…`) } : {});
    if (live) ctx.stderr.write('\n');
    ctx.stdout.write(opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatHunt(result)}\n`);
    // Like a scan's new alerts, a match is what needs attention: exit 1.
    return result.versions.length + result.destinations.length + result.evidence.length > 0 ? EXIT.newAlerts : EXIT.ok;
  });
}
