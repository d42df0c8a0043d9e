// The commands about the record: verify its hashes, hunt through it, export an alert's evidence, read the audit trail.

import { Option, type Command } from 'commander';
import type { CommandContext } from './commands/context.js';

export const collect = (value: string, previous: string[] = []) => [...previous, value];
export const configOption = () => new Option('-c, --config <path>', 'config file (default ./scriptwarden.yml, else ./scriptwarden.json)');

export function addRecordCommands(program: Command, ctx: CommandContext, setExit: (code: number) => void): void {
  program.command('verify').description('check the tamper-evident scan log, the audit log and the stored contents against their hashes')
    .addOption(configOption())
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit codes: 0 everything matches, 1 a scan, audit entry or blob does not (the first break is named), 2 usage/config error.')
    .action(async (opts) => setExit(await (await import('./commands/verify.js')).verifyCommand(opts, ctx)));

  program.command('evidence').argument('<alert-id>', 'alert id')
    .description('write one alert\'s evidence bundle: bodies, headers, HTML, screenshot, HAR, TLS, initiators, timeline, SHA-256 manifest')
    .addOption(configOption())
    .requiredOption('-o, --out <file>', 'zip file to write')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden evidence 12 --out incident-12.zip')
    .action(async (id: string, opts) => setExit(await (await import('./commands/evidence.js')).evidenceCommand(id, opts, ctx)));

  program.command('hunt').description('since when were we serving it? search every stored script version, destination and evidence file')
    .addOption(configOption())
    .option('--host <host>', 'a host (and its subdomains): in script URLs, destinations, bodies and evidence')
    .option('--sha256 <hex>', 'a SHA-256: script versions and evidence files with exactly these bytes')
    .option('--string <text>', 'text contained in a body or an evidence file')
    .option('--regex <expression>', 'an RE2 regular expression (linear time: no back-references or lookarounds)')
    .option('--intel', 'check everything approved against the intelligence now (as the next scan would): hosts new on the known-bad list, new vulnerabilities')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit codes: 0 nothing matched (--intel: no new alert), 1 something did (listed), 2 usage/config error.\n\nExamples:\n  $ scriptwarden hunt --host cdn-stats.example\n  $ scriptwarden hunt --regex "atob\\\\(.{0,40}card" --json')
    .action(async (opts) => setExit(await (await import('./commands/hunt.js')).huntCommand(opts, ctx)));

  program.command('audit').description('the audit trail: sign-ins, decisions, user, token and settings changes, and its hash chain')
    .addOption(configOption())
    .option('--actor <name>', 'only what this user did')
    .option('--type <type>', 'only this kind of object: alert, user, token, setting, script, target, inventory')
    .option('--limit <n>', 'only the newest N entries')
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV')
    .addHelpText('after', '\nExit codes: 0 listed and the chain holds, 1 the chain is broken (named at the end), 2 usage/config error.\n\nExamples:\n  $ scriptwarden audit --type alert --csv > decisions.csv')
    .action(async (opts) => setExit(await (await import('./commands/audit.js')).auditCommand(opts, ctx)));
}
