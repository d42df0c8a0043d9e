// Reads scriptwarden.yml / .json once, validates it with zod, and resolves relative paths.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, isAbsolute, resolve } from 'node:path';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from './duration.js';
import { journeySchema, resolveGoto } from './journey.js';
import { count, cron, duration, every, hostPattern, httpUrl, proxyUrl } from './config-parts.js';
import { missingSecrets, notifySchema, withSecrets } from './config-notify.js';
import { databaseSpec, isPostgresUrl } from './config-database.js';
import { duplicateNames, registryFromEnv, socksForResources } from './config-checks.js';
import { expectIssues, expectSchema } from './provenance.js';
import { ScriptwardenError } from '../errors.js';
import { SEVERITIES } from '../capture/types.js';
import { profileList, targetVantagesSchema, vantageIssues, profileKey, vantagesFor, vantagesSchema } from './vantages.js';

export { PROFILE_NAMES, type ProfileName } from './vantages.js';

const targetSchema = z.strictObject({
  name: z
    .string({ error: 'must be a name' })
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'must be 1-64 letters, digits, dots, dashes or underscores'),
  url: httpUrl,
  type: z.enum(['page', 'resource'], { error: 'must be page or resource' }).default('page'),
  profiles: profileList.optional(),
  /** Where it is scanned from: names of `vantages` (default: all of them), or `{name, profiles}`. */
  vantages: targetVantagesSchema.optional(),
  journey: journeySchema.optional(),
  every: every.optional(),
  cron: cron.optional(),
  /** A payment page (PCI DSS 6.4.3 / 11.6.1 scope) even when no payment form is seen on it, e.g. one whose form is in a provider's frame. */
  payment: z.boolean({ error: 'must be true or false' }).optional(),
  /** Where the true bytes come from (provenance): of the resource, or of named scripts of the page. */
  expect: expectSchema.optional(),
}).superRefine((target, ctx) => {
  if (target.every && target.cron) ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give either every or cron, not both' });
  for (const [index, step] of (target.journey ?? []).entries()) {
    if ('goto' in step && resolveGoto(step.goto, target.url) === null) {
      ctx.addIssue({ code: 'custom', path: ['journey', index, 'goto'], message: 'must be an http(s) URL or a path' });
    }
  }
  if (target.journey && target.type === 'resource') ctx.addIssue({ code: 'custom', path: ['journey'], message: 'only page targets can have a journey' });
});

const trustProxy = z.union([z.boolean(), count(0, 10), z.string().min(1)], { error: 'must be true, false, a hop count or a comma-separated list of proxy addresses' });

const configSchema = z
  .strictObject({
    // A SQLite file (relative to the config), a postgres:// URL, or env:NAME holding either (the URL carries a password).
    database: z.string().min(1).default('./scriptwarden.db'),
    resolve: z
      .record(hostPattern, z.string().refine((ip) => isIP(ip) !== 0, 'must be an IP address'))
      .default({}),
    profiles: profileList.default(['desktop']),
    /** Where scans are made from (a region, a way out through a proxy); absent: one vantage, this machine's. */
    vantages: vantagesSchema.optional(),
    removalThreshold: count(1, 100).default(2),
    /**
     * Let a public target reach loopback, link-local and private addresses (redirects of resources, requests of pages).
     * Off by default: a scanned page must not reach the monitor's own network. A target on such a network may always.
     */
    allowPrivateNetwork: z.boolean({ error: 'must be true or false' }).default(false),
    browser: z
      .strictObject({
        executablePath: z.string().min(1).optional(),
        /** A running browser's DevTools WebSocket URL (ws://host:port/devtools/browser/…): scans connect to it instead of launching one. */
        wsEndpoint: z.string().refine((v) => /^wss?:\/\/[^/\s]+\/\S*$/.test(v), 'must be a ws:// or wss:// DevTools URL, such as ws://127.0.0.1:9222/devtools/browser/ID').optional(),
        args: z.array(z.string()).default([]),
        pageTimeout: duration('30s'),
        settle: duration('500ms'),
        concurrency: count(1, 32).default(2),
        proxy: proxyUrl.optional(),
      })
      .prefault({}),
    limits: z
      .strictObject({
        maxScriptsPerPage: count(1, 100_000).default(500),
        maxBodyBytes: count(1024, 1024 * 1024 * 1024).default(5 * 1024 * 1024),
        /** Bytes of script bodies one page capture keeps in all; beyond it bodies are hashed and compared, not kept. */
        maxPageBytes: count(1024 * 1024, 4 * 1024 * 1024 * 1024).default(64 * 1024 * 1024),
        /** New alerts one scan raises for one target and profile; the rest are summed up in one alerts.capped alert. */
        maxAlertsPerScan: count(1, 10_000).default(50),
        /** Time one analysis task (a scan's plan, one script's analyzers, a beautify or diff) may take in its worker. */
        analysisBudget: duration('10s'),
      })
      .prefault({}),
    baselineLoads: count(2, 10).default(2),
    /** Default schedule for `serve`; targets may override it. */
    every: every.optional(),
    cron: cron.optional(),
    /** Random delay added to each scheduled run; default a tenth of the interval, at most 1m. */
    jitter: z.string().refine((v) => parseDuration(v) !== null, 'must be a duration such as 0s, 5s or 1m').optional(),
    /** Scheduled scans: a failed load is tried again this many times, waiting retryDelay, then twice that… */
    retries: count(0, 10).default(2),
    retryDelay: duration('5s'),
    /** Consecutive failed scheduled scans before one target.unhealthy alert opens. */
    unhealthyAfter: count(1, 100).default(3),
    /** Workers on a shared PostgreSQL database (`scriptwarden worker`): a scan job a worker took and did not finish
     * within jobExpiry (it was killed, or its machine was lost) goes to another worker. */
    queue: z.strictObject({
      jobExpiry: duration('5m'),
      /** Politeness: scans of one registrable domain (shop.example.co.uk) waiting or running at once, across all workers. */
      perDomain: count(1, 1000).default(4),
    }).prefault({}),
    /** Observations of unchanged scripts older than this are removed; baselines, alerts and evidence are kept. */
    retention: z.string().refine((v) => (parseDuration(v) ?? 0) >= 86_400_000, 'must be a duration of at least 1d, such as 90d').optional(),
    notify: notifySchema,
    dashboardUrl: httpUrl.optional(),
    /** Shorthand for dashboard.trustProxy. */
    trustProxy: trustProxy.optional(),
    /** Sign-in and sessions of the dashboard that `serve` runs. */
    dashboard: z
      .strictObject({
        /** Express's trust proxy: false, true, a hop count, or addresses/subnets of the reverse proxies (client IP and HTTPS from X-Forwarded-*). */
        trustProxy: trustProxy.optional(),
        sessionIdle: duration('30m'),
        sessionMax: duration('12h'),
        /** Failed sign-ins in a row before the account is locked for lockoutFor. */
        lockoutAfter: count(2, 100).default(5),
        lockoutFor: duration('15m'),
        /** Sign-in attempts one client address may make per 15 minutes. */
        loginAttemptsPerIp: count(3, 10_000).default(30),
      })
      .prefault({}),
    canary: z
      .strictObject({
        enabled: z.boolean({ error: 'must be true or false' }).default(true),
        approvedHosts: z.array(hostPattern).default([]),
        /**
         * After the pass, one more page of the same site is loaded in the same browser context and watched, so card
         * data collected on checkout and sent from a later page is caught: a path or URL (default: the scanned page
         * again), or `off`.
         */
        nextPage: z.string().min(1, 'must be a path, a URL, or off').optional(),
      })
      .prefault({}),
    intel: z
      .strictObject({
        libraries: z.array(z.string().min(1, 'must be a file path')).default([]),
        knownBadHosts: z.array(z.string().min(1, 'must be a file path')).default([]),
        /** npm registry asked for published releases to verify library files byte for byte; `off` to never ask. */
        registry: z.union([z.literal('off'), httpUrl], { error: 'must be an http(s) URL of an npm registry, or off' }).optional(),
      })
      .prefault({}),
    /**
     * Approvals an alert needs before its change joins the baseline, from a severity up: `{ required: 2, from: high }`
     * makes high and critical alerts need two different people. Changing it is audited and notified.
     */
    approvals: z
      .strictObject({
        required: count(1, 5).default(1),
        from: z.enum(SEVERITIES, { error: `must be one of: ${SEVERITIES.join(', ')}` }).default('info'),
      })
      .prefault({}),
    /** How often a payment page must be evaluated (PCI DSS 11.6.1: at least weekly, or as a targeted risk analysis sets); reports check the scans against it. Absent: the target's schedule, else weekly. */
    evaluationFrequency: every.optional(),
    targets: z.array(targetSchema, { error: 'must be a list of targets' }).min(1, 'must list at least one target'),
  })
  .superRefine((config, ctx) => {
    if (config.every && config.cron) ctx.addIssue({ code: 'custom', path: ['cron'], message: 'give either every or cron, not both' });
    if (config.trustProxy !== undefined && config.dashboard.trustProxy !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['trustProxy'], message: 'give either trustProxy or dashboard.trustProxy, not both' });
    }
    for (const issue of [...vantageIssues(config), ...expectIssues(config.targets)]) ctx.addIssue({ code: 'custom', ...issue });
  });

type ParsedConfig = z.output<typeof configSchema>;
/** The parsed config; `intel.registry` is resolved to a URL, or null when verification is off. */
export type Config = Omit<ParsedConfig, 'intel'> & { intel: Omit<ParsedConfig['intel'], 'registry'> & { registry: string | null }; configPath: string };
export type TargetConfig = Config['targets'][number];

/** Formats a zod path as `targets[2].url`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

/** The value at a path of the raw document (undefined where it is missing). */
const valueAt = (raw: unknown, path: readonly PropertyKey[]): unknown =>
  path.reduce<unknown>((value, key) => (value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined), raw);

/** Zod's issues as lines: a value of the wrong type gets its own message, a missing one "is required". */
function describeIssues(issues: readonly z.core.$ZodIssue[], raw: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown key`);
    } else if (issue.code === 'invalid_type' && valueAt(raw, issue.path) === undefined) {
      lines.push(`${formatPath(issue.path)}: is required`);
    } else {
      lines.push(`${formatPath(issue.path)}: ${issue.message}`);
    }
  }
  return lines;
}

/** Validates an already-parsed config document. `configPath` anchors relative paths; `env` resolves `env:NAME` secrets. */
export function parseConfig(raw: unknown, configPath: string, env: Record<string, string | undefined> = {}): Config {
  const result = configSchema.safeParse(raw ?? {});
  const database = databaseSpec((raw as { database?: unknown } | null)?.database, env);
  const duplicates = [...duplicateNames(raw), ...socksForResources(raw), ...missingSecrets(raw, env), ...database.errors];
  if (!result.success || duplicates.length > 0) {
    const lines = [...(result.success ? [] : describeIssues(result.error.issues, raw ?? {})), ...duplicates];
    throw new ScriptwardenError('CONFIG_INVALID', `invalid configuration in ${configPath}:\n  ${lines.join('\n  ')}`);
  }
  const base = dirname(configPath);
  const config = result.data;
  const anchor = (p: string) => (isAbsolute(p) || p === ':memory:' ? p : resolve(base, p));
  return {
    ...config,
    database: database.spec === undefined ? anchor(config.database) : isPostgresUrl(database.spec) ? database.spec : anchor(database.spec),
    browser: {
      ...config.browser,
      executablePath: config.browser.executablePath ? anchor(config.browser.executablePath) : undefined,
    },
    intel: {
      libraries: config.intel.libraries.map(anchor),
      knownBadHosts: config.intel.knownBadHosts.map(anchor),
      registry: config.intel.registry === 'off' ? null : config.intel.registry ?? registryFromEnv(env),
    },
    notify: config.notify.map((channel) => withSecrets(channel, env)),
    targets: config.targets.map((t) => (t.expect ? { ...t, expect: t.expect.map((e) => (e.file ? { ...e, file: anchor(e.file) } : e)) } : t)),
    dashboard: { ...config.dashboard, trustProxy: config.trustProxy ?? config.dashboard.trustProxy ?? false },
    configPath,
  };
}

/** Finds the config file: the given path, else ./scriptwarden.yml, else ./scriptwarden.json. */
export function locateConfig(explicit: string | undefined, cwd: string): string {
  if (explicit) {
    const path = resolve(cwd, explicit);
    if (!existsSync(path)) throw new ScriptwardenError('CONFIG_NOT_FOUND', `config file not found: ${path}`);
    return path;
  }
  for (const name of ['scriptwarden.yml', 'scriptwarden.yaml', 'scriptwarden.json']) {
    const path = resolve(cwd, name);
    if (existsSync(path)) return path;
  }
  throw new ScriptwardenError(
    'CONFIG_NOT_FOUND',
    `no scriptwarden.yml or scriptwarden.json in ${cwd}; run "scriptwarden init" to write one, or pass --config PATH`,
  );
}

export function loadConfig(explicit: string | undefined, cwd: string, env: Record<string, string | undefined> = {}): Config {
  const path = locateConfig(explicit, cwd);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ScriptwardenError('CONFIG_NOT_FOUND', `cannot read config file ${path}: ${(error as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0];
    throw new ScriptwardenError('CONFIG_INVALID', `cannot parse ${path}: ${detail}`);
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ScriptwardenError('CONFIG_INVALID', `invalid configuration in ${path}:\n  (root): must be a mapping of options`);
  }
  return parseConfig(raw, path, env);
}

/**
 * The profile keys a target is scanned under (`desktop`, or `desktop@eu-west` when vantages are configured), at one
 * vantage or at all of them.
 */
export function profilesFor(config: Config, target: TargetConfig, vantage?: string): string[] {
  return vantagesFor(config, target)
    .filter((v) => vantage === undefined || v.name === vantage)
    .flatMap((v) => v.profiles.map((profile) => profileKey(profile, v.name)));
}
