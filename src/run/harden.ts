// `harden`: reads a target's approved inventory and current policy, proposes a CSP and SRI, and proves the policy by
// replaying the page with it enforced in every profile (and its journey), listing what would break and how to fix it.

import { profilesFor, type Config, type TargetConfig } from '../config/config.js';
import { splitProfileKey } from '../config/vantages.js';
import { fixFor, proposeHardening, type HardenDestination, type HardenProposal, type HardenScript } from '../detect/csp-proposal.js';
import { destinationInventory, scriptInventory } from '../evidence/inventory-report.js';
import type { PolicyViolation } from '../capture/types.js';
import type { Store } from '../store/open-store.js';
import type { Capturer } from '../capture/capturer.js';

export interface HardenReplay { profile: string; ok: boolean; error: string | null; violations: (PolicyViolation & { fix: string })[] }

export interface HardenResult {
  target: string;
  page: string;
  proposal: HardenProposal;
  /** One replay per profile (and vantage) the target is scanned in; none when there was no browser to replay in. */
  replays: HardenReplay[];
  /** True only when every replay loaded and saw no violation: deploying the policy breaks nothing seen. */
  safe: boolean;
}

/** The approved scripts of a target's pages, once per version, with what SRI needs of each. */
async function approvedScripts(store: Store, target: string): Promise<HardenScript[]> {
  const rows = (await scriptInventory(store, { target })).filter((r) => r.state === 'approved');
  const seen = new Set<string>();
  const out: HardenScript[] = [];
  for (const row of rows) {
    const key = `${row.kind}|${row.url ?? row.subject}|${row.sha256}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const learned = (await store.inventory.maskSettings(row.scriptId)).learned;
    const accepted = (await store.inventory.versions(row.scriptId)).filter((v) => v.state === 'approved').length;
    const varies = learned.length ? `learned volatile values after ${learned.slice(0, 3).map((l) => JSON.stringify(l)).join(', ')}`
      : accepted > 1 ? `${accepted} accepted versions` : row.masked ? row.masked : null;
    const meta = row.sha256 ? await store.inventory.versionMeta(row.scriptId, row.sha256) : null;
    const allowOrigin = Object.entries(meta?.headers ?? {}).find(([name]) => name.toLowerCase() === 'access-control-allow-origin')?.[1] ?? null;
    out.push({ kind: row.kind, url: row.url, frame: row.frame, sha256: row.sha256, body: row.sha256 ? await store.blobs.textBySha(row.sha256) : null, varies, allowOrigin });
  }
  return out;
}

export async function hardenTarget(deps: { config: Config; store: Store; capturer: Capturer | null }, target: TargetConfig): Promise<HardenResult> {
  const { store } = deps;
  const scripts = await approvedScripts(store, target.name);
  const destinations: HardenDestination[] = (await destinationInventory(store, { target: target.name }))
    .filter((d) => d.state === 'approved').map((d) => ({ host: d.host, types: d.types, methods: d.methods }));
  const headers = await store.inventory.headers({ target: target.name });
  const latest = (name: string) => headers.filter((h) => h.name === name && h.value !== null).sort((a, b) => b.seenAt.localeCompare(a.seenAt))[0]?.value ?? null;
  const enforced = latest('content-security-policy');
  const proposal = proposeHardening(target.url, scripts, destinations, { policy: enforced ?? latest('content-security-policy-report-only'), reportOnly: !enforced && latest('content-security-policy-report-only') !== null });
  const replays: HardenReplay[] = [];
  const replay = deps.capturer?.replay;
  if (replay) {
    for (const key of profilesFor(deps.config, target)) {
      const { profile, vantage } = splitProfileKey(key);
      const result = await replay({ target: target.name, url: target.url, profile, journey: target.journey, vantage }, proposal.policy);
      replays.push({ profile: key, ok: result.ok, error: result.error, violations: result.violations.map((v) => ({ ...v, fix: fixFor(v) })) });
    }
  }
  return { target: target.name, page: target.url, proposal, replays, safe: replays.length > 0 && replays.every((r) => r.ok && r.violations.length === 0) };
}
