// The composition root: parses the command line, wires config, store and crawler together, and returns the exit code.

import { isDiskFull } from '../store/write-lock.js';
import { Command, CommanderError, Option } from 'commander';
import { userInfo } from 'node:os';
import type { CommandContext } from './commands/context.js';
import { EXIT } from './commands/exit-codes.js';
import { readVersion } from './version.js';
import { MASK_RULES } from '../config/mask-rules.js';
import { describeError, exitCodeOf, isScriptwardenError } from '../errors.js';
import { readAll, readHidden } from './prompt.js';
import { capturerFactory, renderPdfWith } from './crawler-factory.js';
import { addRecordCommands, collect, configOption } from './program-records.js';

const VERSION = readVersion();

function buildProgram(ctx: CommandContext, setExit: (code: number) => void): Command {
  const program = new Command('scriptwarden')
    .description('Monitors the JavaScript your web pages hand to visitors, and alerts when it changes.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({ writeOut: (s) => ctx.stdout.write(s), writeErr: (s) => ctx.stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)');

  program.command('init').argument('[path]', 'where to write the config', 'scriptwarden.yml')
    .description('write a commented scriptwarden.yml')
    .option('-c, --config <path>', 'where to write the config (same as PATH)')
    .option('--force', 'overwrite an existing file')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden init\n  $ scriptwarden init config/scriptwarden.yml')
    .action(async (path: string, opts) => setExit(await (await import('./commands/init.js')).initCommand(opts.config ?? path, opts, ctx)));

  program.command('scan').description('load every target, fingerprint its scripts, compare with the baseline')
    .addOption(configOption())
    .option('-t, --target <name>', 'scan only this target (repeatable)', collect)
    .option('--json', 'print one JSON object on stdout (progress goes to stderr)')
    .addHelpText('after', '\nExit codes: 0 nothing new, 1 new alerts, 2 usage/config error, 3 some targets failed and no new alerts.\n\nExamples:\n  $ scriptwarden scan\n  $ scriptwarden scan --target checkout --json')
    .action(async (opts) => setExit(await (await import('./commands/scan.js')).scanCommand(opts, ctx)));

  program.command('alerts').description('list alerts, most severe first')
    .addOption(configOption())
    .addOption(new Option('--status <status>', 'which alerts').choices(['open', 'approved', 'rejected', 'resolved', 'all']).default('open'))
    .option('-t, --target <name>', 'only this target')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden alerts\n  $ scriptwarden alerts --status all --json')
    .action(async (opts) => setExit(await (await import('./commands/review.js')).alertsCommand(opts, ctx)));

  program.command('show').argument('<id>', 'alert id').description('show one alert with the diff of the script change')
    .addOption(configOption())
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden show 12')
    .action(async (id: string, opts) => setExit(await (await import('./commands/review.js')).showCommand(id, opts, ctx)));

  program.command('approve').argument('[ids...]', 'alert ids').description('approve alerts; --all also approves the pending inventory')
    .addOption(configOption())
    .option('--all', 'approve every open alert and every pending inventory entry')
    .option('--note <text>', 'justification, kept as the PCI DSS 6.4.3 record')
    .option('--by <name>', 'who approves (default: the current user)')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden approve --all --note "initial inventory reviewed" --by alice\n  $ scriptwarden approve 12 13 --note "vendor release 4.2" --by bob')
    .action(async (ids: string[], opts) => setExit(await (await import('./commands/review.js')).decideCommand('approved', ids, opts, ctx)));

  program.command('reject').argument('<ids...>', 'alert ids').description('reject alerts: the change is not authorized')
    .addOption(configOption())
    .option('--note <text>', 'why, for the incident record')
    .option('--by <name>', 'who rejects (default: the current user)')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden reject 14 --note "unknown host, incident INC-42" --by alice')
    .action(async (ids: string[], opts) => setExit(await (await import('./commands/review.js')).decideCommand('rejected', ids, opts, ctx)));

  program.command('authorize').argument('[script-ids...]', 'script ids, as the inventory shows them')
    .description('authorize scripts with a written justification (PCI DSS 6.4.3), one by one or by target, host, vendor or kind')
    .addOption(configOption())
    .option('-t, --target <name>', 'every script of this target')
    .option('--host <host>', 'every script from this host (*.example.com for its subdomains too)')
    .option('--vendor <name>', 'every script of this vendor, as the inventory names it')
    .option('--kind <kind>', 'every script of this kind (external, inline, dynamic, module, worker, eval, resource)')
    .option('--justification <text>', 'why the scripts are necessary: the business or technical reason')
    .option('--by <name>', 'who authorizes (default: the current user)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden authorize 12 --justification "payment form validation" --by alice\n  $ scriptwarden authorize --vendor Stripe --justification "card tokenisation (PSP)" --by alice')
    .action(async (ids: string[], opts) => setExit(await (await import('./commands/authorize.js')).authorizeCommand(ids, opts, ctx)));

  program.command('harden').argument('<target>', 'a page target').description('propose a Content-Security-Policy and SRI from the approved inventory, proved by replaying the page with the policy enforced')
    .addOption(configOption())
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit codes: 0 the proposal replayed with no violation (safe), 1 it would break something (listed, with fixes), 2 usage/config error.\n\nExamples:\n  $ scriptwarden harden checkout')
    .action(async (target: string, opts) => setExit(await (await import('./commands/harden.js')).hardenCommand(target, opts, ctx)));

  program.command('report-policy').argument('<target>', 'a page target').description('print the Content-Security-Policy-Report-Only header that makes visitors\' browsers report to the collector (blocks nothing)')
    .addOption(configOption())
    .option('--url <base>', 'the collector\'s public address (default: dashboardUrl)')
    .option('--json', 'print JSON')
    .action(async (target: string, opts) => setExit(await (await import('./commands/report-policy.js')).reportPolicyCommand(target, opts, ctx)));

  program.command('inventory').description('every script per page, with its approval and justification')
    .addOption(configOption())
    .option('-t, --target <name>', 'only this target')
    .option('--json', 'print JSON')
    .option('--csv', 'print CSV')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden inventory\n  $ scriptwarden inventory --csv > inventory.csv')
    .action(async (opts) => setExit(await (await import('./commands/inventory.js')).inventoryCommand(opts, ctx)));

  program.command('report').description('the PCI DSS 6.4.3 / 11.6.1 report of payment pages: inventory, authorizations, header history, evaluations, alerts, tamper evidence')
    .addOption(configOption())
    .option('-t, --target <name>', 'only this target (repeatable; default: every payment page)', collect)
    .option('--from <date>', 'start of the period (2026-09-01 or an ISO time; default: 90 days before --to)')
    .option('--to <date>', 'end of the period (default: now)')
    .addOption(new Option('--format <format>', 'html, pdf or json').choices(['html', 'pdf', 'json']))
    .option('--out <file>', 'where to write it (- for standard output, html and json)')
    .option('--verify <file>', 'check a report against its manifest (and, with a config, the database)')
    .option('--json', 'with --verify: print the result as JSON')
    .addHelpText('after', '\nExit codes: 0 written (or verified), 1 --verify found the report changed, 2 usage error.\n\nExamples:\n  $ scriptwarden report --format pdf --out q4.pdf --from 2026-10-01 --to 2026-12-31\n  $ scriptwarden report --verify q4.pdf')
    .action(async (opts) => setExit(await (await import('./commands/report.js')).reportCommand(opts, ctx)));

  const db = program.command('db').description('the database\'s schema: which migrations are applied, and applying the pending ones');
  db.command('status').description('the schema version, the applied and pending migrations; exit 2 when a newer scriptwarden migrated it')
    .addOption(configOption()).option('--json', 'print JSON')
    .action(async (opts) => setExit(await (await import('./commands/db.js')).dbStatusCommand(opts, ctx)));
  db.command('migrate').description('apply the pending migrations now (every command does it when it opens the database)')
    .addOption(configOption()).option('--json', 'print JSON')
    .action(async (opts) => setExit(await (await import('./commands/db.js')).dbMigrateCommand(opts, ctx)));
  db.command('copy').description('copy a whole installation into a new, empty database (SQLite to PostgreSQL), then verify the copy')
    .option('--from <database>', 'the database to copy: a SQLite file or a postgres:// URL (or env:NAME)')
    .option('--to <database>', 'the empty database to copy into: a postgres:// URL or a SQLite file (or env:NAME)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit codes: 0 copied and verified, 1 the copy does not verify, 2 usage error (the target is not empty, say).\n\nExample:\n  $ scriptwarden db copy --from ./scriptwarden.db --to env:SCRIPTWARDEN_DATABASE_URL')
    .action(async (opts) => setExit(await (await import('./commands/db.js')).dbCopyCommand(opts, ctx)));

  program.command('sample').description('load targets once more and learn which values change on every load (no scan, no alerts)')
    .addOption(configOption())
    .option('-t, --target <name>', 'sample only this target (repeatable)', collect)
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExit codes: 0 done, 2 usage/config error, 3 some targets failed to load.\n\nExamples:\n  $ scriptwarden sample --target checkout')
    .action(async (opts) => setExit(await (await import('./commands/sample.js')).sampleCommand(opts, ctx)));

  program.command('rules').argument('<script-id>', 'script id, as the inventory shows it')
    .description('show or switch the masking rules that apply to one script')
    .addOption(configOption())
    .option('--disable <rules>', `turn rules off (comma-separated or repeated): ${MASK_RULES.join(', ')}`, collect)
    .option('--enable <rules>', 'turn rules back on', collect)
    .option('--forget-learned', 'drop the volatile values learned for this script')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden rules 12\n  $ scriptwarden rules 12 --disable quoted-tokens,learned-tokens')
    .action(async (id: string, opts) => setExit(await (await import('./commands/rules.js')).rulesCommand(id, opts, ctx)));

  addRecordCommands(program, ctx, setExit);

  const intel = program.command('intel').description('show the library signatures and known-bad host lists in use')
    .addOption(configOption())
    .option('--json', 'print JSON')
    .action(async (opts) => setExit(await (await import('./commands/intel.js')).intelCommand(opts, ctx)));
  intel.command('release-hashes').argument('<package@version...>', 'npm releases, e.g. jquery@3.7.1')
    .description('hash the published script files of npm releases into a retire.js-format file for intel.libraries')
    .requiredOption('--out <file>', 'file to write (merged with it when it exists)')
    .option('--registry <url>', 'npm registry', 'https://registry.npmjs.org')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden intel release-hashes jquery@3.7.1 lodash@4.17.21 --out intel/releases.json')
    .action(async (specs: string[], opts) => setExit(await (await import('./commands/intel.js')).releaseHashesCommand(specs, opts, ctx)));

  const users = program.command('users').description('dashboard accounts: viewer reads, approver also decides alerts, admin also manages users, tokens and settings');
  const usersModule = () => import('./commands/users.js');
  users.command('add').argument('<name>', 'user name').description('add a user (the password is read from stdin, or typed twice on a terminal)')
    .addOption(configOption())
    .addOption(new Option('--role <role>', 'what the user may do').choices(['viewer', 'approver', 'admin']).makeOptionMandatory())
    .option('--password-stdin', 'read the password from the first line of stdin')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden users add alice --role admin\n  $ printf %s "$PASSWORD" | scriptwarden users add ci-viewer --role viewer --password-stdin')
    .action(async (name: string, opts) => setExit(await (await usersModule()).usersAddCommand(name, opts, ctx)));
  users.command('list').description('every user with role, two-factor, lockout and last sign-in')
    .addOption(configOption()).option('--json', 'print JSON')
    .action(async (opts) => setExit(await (await usersModule()).usersListCommand(opts, ctx)));
  users.command('remove').argument('<name>', 'user name').description('remove a user; their sessions and tokens stop working at once')
    .addOption(configOption())
    .action(async (name: string, opts) => setExit(await (await usersModule()).usersRemoveCommand(name, opts, ctx)));
  users.command('set-role').argument('<name>', 'user name').argument('<role>', 'viewer, approver or admin').description('change what a user may do')
    .addOption(configOption())
    .action(async (name: string, role: string, opts) => setExit(await (await usersModule()).usersSetRoleCommand(name, role, opts, ctx)));
  users.command('reset-password').argument('<name>', 'user name').description('set a new password, clear the lockout and sign the user out')
    .addOption(configOption())
    .option('--password-stdin', 'read the password from the first line of stdin')
    .action(async (name: string, opts) => setExit(await (await usersModule()).usersResetPasswordCommand(name, opts, ctx)));
  users.command('reset-two-factor').argument('<name>', 'user name').description('remove a user\'s authenticator and recovery codes (lost device)')
    .addOption(configOption())
    .action(async (name: string, opts) => setExit(await (await usersModule()).usersResetTwoFactorCommand(name, opts, ctx)));

  const tokens = program.command('tokens').description('API tokens: Authorization: Bearer <token>, with the role of their user');
  const tokensModule = () => import('./commands/tokens.js');
  tokens.command('create').description('create a token and print it once (only its hash is stored)')
    .addOption(configOption())
    .requiredOption('--user <name>', 'whose role the token carries')
    .option('--name <name>', 'what the token is for', 'api')
    .option('--expires <duration>', 'lifetime such as 90d, or never (default never)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden tokens create --user ci-bot --name ci --expires 90d')
    .action(async (opts) => setExit(await (await tokensModule()).tokensCreateCommand(opts, ctx)));
  tokens.command('list').description('every token with its state, expiry and last use')
    .addOption(configOption()).option('--user <name>', 'only this user\'s tokens').option('--json', 'print JSON')
    .action(async (opts) => setExit(await (await tokensModule()).tokensListCommand(opts, ctx)));
  tokens.command('revoke').argument('<id>', 'token id from tokens list, or the token itself').description('revoke a token; the next request with it is refused')
    .addOption(configOption())
    .action(async (id: string, opts) => setExit(await (await tokensModule()).tokensRevokeCommand(id, opts, ctx)));

  program.command('serve').description('scan on schedule and serve the dashboard, /healthz and /metrics, until SIGTERM')
    .addOption(configOption())
    .option('-p, --port <port>', 'TCP port', '8080')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--no-schedule', 'serve only, without scheduled scans')
    .addOption(new Option('--role <role>', 'all in one process; or, on a shared PostgreSQL database, web (the dashboard) or scheduler (dispatch scans to workers); or collector (only POST /reports/csp/KEY, on its own --port)').choices(['all', 'web', 'scheduler', 'collector']).default('all'))
    .addOption(new Option('--log-format <format>', 'log lines on stdout as text or JSON').choices(['text', 'json']).default('text'))
    .option('--stop-timeout <duration>', 'on SIGTERM, how long running scans may take before they are abandoned', '20s')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden serve\n  $ scriptwarden serve --log-format json\n  $ scriptwarden serve --port 9000 --no-schedule')
    .action(async (opts) => setExit(await (await import('./commands/serve.js')).serveCommand(opts, ctx)));

  program.command('worker').description('take scan jobs from the shared PostgreSQL queue and record them, until SIGTERM (with serve --role scheduler)')
    .addOption(configOption())
    .option('--vantage <name>', 'a vantage whose jobs this worker takes (repeatable; default: default)', (value: string, previous: string[] = []) => [...previous, value])
    .addOption(new Option('--log-format <format>', 'log lines on stdout as text or JSON').choices(['text', 'json']).default('text'))
    .option('--stop-timeout <duration>', 'on SIGTERM, how long running scans may take before they are abandoned (and go to another worker)', '20s')
    .addHelpText('after', '\nExit codes: 0 stopped cleanly, 2 usage/config error (a SQLite database cannot be shared).\n\nExamples:\n  $ scriptwarden worker\n  $ scriptwarden worker --vantage default --log-format json')
    .action(async (opts) => setExit(await (await import('./commands/worker.js')).workerCommand(opts, ctx)));

  program.command('demo').description('watch a demo shop on this machine: scan, approve, plant a skimmer, and see the alert (no internet, no config)')
    .option('--serve', 'run the real serve on it: the skimmer is planted while the dashboard is open, and the alert appears by itself')
    .option('-p, --port <port>', 'dashboard port with --serve (another free one when it is taken)', '8080')
    .option('--plant-after <duration>', 'with --serve, how long after the dashboard starts the skimmer is planted', '10s')
    .addHelpText('after', '\nExamples:\n  $ scriptwarden demo\n  $ scriptwarden demo --serve')
    .action(async (opts) => setExit(await (await import('./commands/demo.js')).demoCommand(opts, ctx)));

  return program;
}

/**
 * What a caller may give instead of this process's own: tests run commands in-process with their own folder,
 * environment and streams, and one analysis pool for many commands.
 */
export type ProgramIo = Partial<Pick<CommandContext, 'cwd' | 'env' | 'stdout' | 'stderr' | 'stdin' | 'openAnalysis'>>;

export async function main(argv: string[], io: ProgramIo = {}): Promise<number> {
  const env = io.env ?? process.env;
  const ctx: CommandContext = {
    cwd: io.cwd ?? process.cwd(),
    env,
    stdout: io.stdout ?? { write: (s) => void process.stdout.write(s), isTTY: Boolean(process.stdout.isTTY) },
    stderr: io.stderr ?? { write: (s) => void process.stderr.write(s), isTTY: Boolean(process.stderr.isTTY) },
    stdin: io.stdin ?? {
      isTTY: Boolean(process.stdin.isTTY),
      readAll: () => readAll(process.stdin),
      readHidden: (prompt) => readHidden(process.stdin, process.stderr, prompt),
    },
    defaultActor: env.SCRIPTWARDEN_USER || safeUser(),
    openCapturer: capturerFactory(env, process.getuid?.() === 0),
    renderPdf: (config, html) => renderPdfWith(config, env, process.getuid?.() === 0, html),
    openAnalysis: io.openAnalysis ?? (async (options) => (await import('../run/analysis-pool.js')).createAnalysisPool(options)),
    createDashboard: async (deps) => (await import('../../dashboard/create-app.js')).createApp(deps),
    waitForShutdown: () => new Promise((resolve) => {
      process.once('SIGINT', () => resolve('SIGINT'));
      process.once('SIGTERM', () => resolve('SIGTERM'));
    }),
    version: VERSION,
  };
  let exitCode: number = EXIT.ok;
  const program = buildProgram(ctx, (code) => { exitCode = code; });
  try {
    if (argv.length === 0) {
      program.outputHelp();
      return EXIT.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (isScriptwardenError(error)) {
      ctx.stderr.write(`scriptwarden: ${error.message}\n`);
      return exitCodeOf(error);
    }
    if (isDiskFull(error)) {
      // A write outside a transaction (one statement) refused for want of space: what it wrote was not kept.
      ctx.stderr.write(`scriptwarden: the disk holding the database ran out of space (${describeError(error)}); the write was not kept. Free space on that disk and run again; "scriptwarden verify" checks the database.\n`);
      return EXIT.storeFailed;
    }
    ctx.stderr.write(`scriptwarden: internal error: ${describeError(error)}\n`);
    return EXIT.internal;
  }
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
