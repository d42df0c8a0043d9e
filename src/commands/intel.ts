// `scriptwarden intel`: which library signatures and known-bad host lists are loaded, from where.

import { loadConfig } from '../config.js';
import { loadIntel } from '../intel/load-intel.js';
import { EXIT, type CommandContext } from './context.js';

export function intelCommand(options: { config?: string; json?: boolean }, ctx: CommandContext): number {
  const config = loadConfig(options.config, ctx.cwd);
  const intel = loadIntel(config.intel);
  const summary = {
    libraries: intel.libraries.libraries.length,
    knownBadHosts: intel.knownBad.hosts.size,
    sources: intel.sources,
  };
  if (options.json) ctx.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    ctx.stdout.write(`${summary.libraries} libraries recognised, ${summary.knownBadHosts} known-bad hosts\n`);
    for (const s of intel.sources) ctx.stdout.write(`  ${s.kind.padEnd(13)} ${String(s.entries).padStart(5)}  ${s.path}\n`);
  }
  return EXIT.ok;
}
