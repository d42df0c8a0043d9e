// Profiles and vantages: the visitors a target is scanned as (a device profile) and from where (a vantage: a region, a
// way out to the internet), and the profile key a scan of both is stored under.

import { z } from 'zod';
import { proxyUrl } from './config-parts.js';

export const PROFILE_NAMES = ['desktop', 'mobile'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export const profileList = z
  .array(z.enum(PROFILE_NAMES, { error: `must be one of: ${PROFILE_NAMES.join(', ')}` }), { error: 'must be a list of profiles, such as [desktop, mobile]' })
  .min(1, 'must list at least one profile');

/** The one vantage of a config that names none: its scans are stored under the plain profile (`desktop`). */
export const DEFAULT_VANTAGE = 'default';

const vantageName = z
  .string({ error: 'must be a vantage name' })
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, 'must be 1-32 lowercase letters, digits or dashes, such as eu-west')
  .refine((name) => name !== DEFAULT_VANTAGE, `"${DEFAULT_VANTAGE}" is the vantage of a config without vantages; choose another name`);

/** `vantages: [{name: eu-west, profiles: [desktop, mobile], proxy: http://exit-eu:3128}]`. */
export const vantagesSchema = z.array(z.strictObject({
  name: vantageName,
  /** Profiles scanned from this vantage; default: the top-level `profiles`. */
  profiles: profileList.optional(),
  /** Where this vantage's traffic leaves: the proxy of the browsers (and resource fetches) serving it, instead of browser.proxy. */
  proxy: proxyUrl.optional(),
}, { error: 'must be {name, profiles, proxy}' }), { error: 'must be a list of vantages' }).min(1, 'must list at least one vantage');

/** A target's own list: names of configured vantages, or `{name, profiles}` to scan other profiles from one. */
export const targetVantagesSchema = z.array(z.union([vantageName, z.strictObject({ name: vantageName, profiles: profileList.optional() })], {
  error: 'must be a vantage name, or {name, profiles}',
}), { error: 'must be a list of vantage names' }).min(1, 'must list at least one vantage');

export interface Vantage {
  name: string;
  /** Profiles scanned from it for a target; resource targets are fetched once, as `desktop`. */
  profiles: ProfileName[];
  proxy?: string;
}

interface VantageConfig {
  profiles: ProfileName[];
  queue?: { perDomain: number };
  browser?: { wsEndpoint?: string };
  vantages?: z.output<typeof vantagesSchema>;
  targets: { type: 'page' | 'resource'; profiles?: ProfileName[]; vantages?: z.output<typeof targetVantagesSchema> }[];
}

/** Problems of a parsed config's vantages, with their paths: unknown or repeated names, too low a politeness bound. */
export function vantageIssues(config: VantageConfig): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const defined = new Set<string>();
  // Refinements run over a document with other problems too: parts that did not parse are reported already.
  if (!Array.isArray(config.targets)) return issues;
  (Array.isArray(config.vantages) ? config.vantages : []).forEach((v, i) => {
    if (defined.has(v.name)) issues.push({ path: ['vantages', i, 'name'], message: `duplicate vantage name "${v.name}"` });
    // A running browser was started with its own way out; scriptwarden launches one per vantage proxy.
    if (v.proxy && config.browser?.wsEndpoint) issues.push({ path: ['vantages', i, 'proxy'], message: 'cannot be used with browser.wsEndpoint (a browser scriptwarden does not launch keeps its own proxy)' });
    defined.add(v.name);
  });
  config.targets.forEach((target, t) => {
    const seen = new Set<string>();
    (Array.isArray(target.vantages) ? target.vantages : []).forEach((entry, i) => {
      const name = typeof entry === 'string' ? entry : entry.name;
      const path = ['targets', t, 'vantages', i, ...(typeof entry === 'string' ? [] : ['name'])];
      if (!defined.has(name)) {
        issues.push({ path, message: defined.size ? `unknown vantage "${name}"; vantages are: ${[...defined].join(', ')}` : `unknown vantage "${name}"; define it under vantages first` });
      } else if (seen.has(name)) issues.push({ path, message: `vantage "${name}" is listed twice` });
      seen.add(name);
    });
  });
  // A slot's jobs (one per vantage) are sent together, so a target needs as many scans of its domain at once.
  const perDomain = config.queue?.perDomain;
  if (issues.length === 0 && typeof perDomain === 'number' && Array.isArray(config.vantages)) {
    config.targets.forEach((target, i) => {
      if (target.vantages !== undefined && !Array.isArray(target.vantages)) return;
      const n = vantagesFor(config, target).length;
      if (n > perDomain) issues.push({ path: ['queue', 'perDomain'], message: `must be at least ${n}: targets[${i}] is scanned from ${n} vantages at once` });
    });
  }
  return issues;
}

/** The vantages a target is scanned from, each with its profiles; a config without vantages has one, `default`. */
export function vantagesFor(config: VantageConfig, target: VantageConfig['targets'][number]): Vantage[] {
  const device = (profiles: ProfileName[]): ProfileName[] => (target.type === 'resource' ? ['desktop'] : profiles);
  if (!config.vantages?.length) return [{ name: DEFAULT_VANTAGE, profiles: device(target.profiles ?? config.profiles) }];
  const byName = new Map(config.vantages.map((v) => [v.name, v]));
  const entries = target.vantages ?? config.vantages.map((v) => v.name);
  return entries.map((entry) => {
    const name = typeof entry === 'string' ? entry : entry.name;
    const vantage = byName.get(name)!;
    const own = typeof entry === 'string' ? undefined : entry.profiles;
    return { name, profiles: device(own ?? target.profiles ?? vantage.profiles ?? config.profiles), ...(vantage.proxy ? { proxy: vantage.proxy } : {}) };
  });
}

/** Every vantage the config scans from: the names workers may serve. */
export function configuredVantages(config: Pick<VantageConfig, 'vantages'>): string[] {
  return config.vantages?.length ? config.vantages.map((v) => v.name) : [DEFAULT_VANTAGE];
}

/** The proxy a vantage's traffic leaves through: its own, else the browser's. */
export function proxyOf(config: Pick<VantageConfig, 'vantages'> & { browser: { proxy?: string } }, vantage: string): string | undefined {
  return config.vantages?.find((v) => v.name === vantage)?.proxy ?? config.browser.proxy;
}

/** The key scans, baselines, alerts and inventory are kept under: `desktop@eu-west`, or plain `desktop` at the default vantage. */
export function profileKey(profile: string, vantage: string): string {
  return vantage === DEFAULT_VANTAGE ? profile : `${profile}@${vantage}`;
}

/** The device profile and the vantage of a profile key. */
export function splitProfileKey(key: string): { profile: string; vantage: string } {
  const at = key.indexOf('@');
  return at === -1 ? { profile: key, vantage: DEFAULT_VANTAGE } : { profile: key.slice(0, at), vantage: key.slice(at + 1) };
}

/** The vantage a run record or health alert is kept under: none for the default vantage (the target's own row). */
export function namedVantage(vantage: string | undefined): string | undefined {
  return vantage && vantage !== DEFAULT_VANTAGE ? vantage : undefined;
}
