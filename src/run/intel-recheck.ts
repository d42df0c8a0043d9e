// The intel re-check: when the known-bad host list or the library data has changed since everything stored was last
// checked against it, looks again at what was approved before and raises one intel.match alert per hit.

import { createHash } from 'node:crypto';
import { knownBadHits, vulnerabilityHits } from '../detect/intel-hits.js';
import { identifyLibrary } from '../detect/intel/libraries.js';
import type { Intel } from '../detect/intel/intel.js';
import type { AlertWithDetails } from '../store/alerts.js';
import { approvedHosts, approvedVersions, readIntelCheck, recordIntelCheck } from '../store/intel-checks.js';
import type { Store } from '../store/open-store.js';

export interface RecheckResult {
  raised: AlertWithDetails[];
  /** Hosts added to the known-bad list since the last check; whether the library data changed. */
  knownBadAdded: string[];
  librariesChanged: boolean;
}

/**
 * Runs before each scan run (and `hunt --intel`). The first check of a database records the intelligence as it is:
 * what was stored until then was judged against it as it was scanned.
 */
export async function recheckIntel(store: Store, intel: Intel, now = new Date()): Promise<RecheckResult> {
  const db = store.database;
  const at = now.toISOString();
  const result: RecheckResult = { raised: [], knownBadAdded: [], librariesChanged: false };
  const hosts = [...intel.knownBad.hosts].sort();
  const hostsDigest = createHash('sha256').update(JSON.stringify(hosts)).digest('hex');
  const previousHosts = await readIntelCheck(db, store.blobs, 'known-bad-hosts');
  if (previousHosts?.digest !== hostsDigest) {
    const state = previousHosts ? await previousHosts.state() : null;
    const before = new Set(Array.isArray(state) ? (state as string[]) : hosts);
    const added = hosts.filter((h) => !before.has(h));
    const versions = added.length ? await Promise.all((await approvedVersions(db)).map(async (v) => ({ ...v, body: await store.blobs.textBySha(v.sha256) }))) : [];
    const hits = added.length ? knownBadHits(added, versions, await approvedHosts(db)) : [];
    result.knownBadAdded = added;
    result.raised.push(...await recordIntelCheck(db, store.blobs, 'known-bad-hosts', hostsDigest, hosts, hits, at));
  }
  const digest = intel.librariesDigest;
  const previousLibraries = digest ? await readIntelCheck(db, store.blobs, 'libraries') : null;
  if (digest && previousLibraries?.digest !== digest) {
    const identified = [];
    for (const v of await approvedVersions(db)) {
      const body = await store.blobs.textBySha(v.sha256);
      const match = body === null ? null : identifyLibrary(intel.libraries, { url: v.url, body });
      identified.push({ ...v, library: match ? { name: match.name, version: match.version, vulnerabilities: match.vulnerabilities } : null });
    }
    const state = Object.fromEntries(identified.filter((v) => v.library).map((v) => [v.sha256, v.library!.vulnerabilities]));
    const hits = previousLibraries ? vulnerabilityHits(identified, ((await previousLibraries.state()) ?? {}) as Record<string, string[]>) : [];
    result.librariesChanged = previousLibraries !== null;
    result.raised.push(...await recordIntelCheck(db, store.blobs, 'libraries', digest, state, hits, at));
  }
  return result;
}
