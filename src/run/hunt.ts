// A retro-hunt: reads every stored script version, destination and evidence file, one body at a time, and keeps what
// the query matches, with where and when it was served and what was decided of it.

import type { HuntMatcher } from '../detect/hunt-query.js';
import type { Store } from '../store/open-store.js';
import { evidenceFiles, huntDestinations, huntVersions, scriptUrls, versionBlobs, type HuntDestination, type HuntEvidence, type HuntVersion } from '../store/hunt.js';

export interface HuntResult {
  query: HuntMatcher['query'];
  /** Each version that matched, and what of it did: its body, its URL (a host), its hash. */
  versions: (HuntVersion & { matched: ('body' | 'url' | 'sha256')[] })[];
  destinations: HuntDestination[];
  evidence: HuntEvidence[];
  searched: { bodies: number; evidence: number; destinations: boolean };
  /** The time budget ran out before every body was read: what is listed matched, the rest was not searched. */
  truncated: boolean;
}

export interface HuntOptions {
  progress?: (done: number, total: number) => void;
  /** Stop reading bodies after this long (the dashboard's search answers within it); absent: read them all. */
  budgetMs?: number;
}

/** Images are not searched for text. */
const BINARY = /\.(png|jpe?g|gif|webp|pdf|zip)$/i;

export async function runHunt(store: Store, matcher: HuntMatcher, options: HuntOptions = {}): Promise<HuntResult> {
  const { progress } = options;
  const deadline = options.budgetMs === undefined ? Infinity : Date.now() + options.budgetMs;
  let truncated = false;
  const db = store.database;
  const blobs = await versionBlobs(db);
  const evidence = await evidenceFiles(db);
  const total = blobs.length + evidence.length;
  const byBody = new Map<number, 'body' | 'sha256'>();
  let done = 0;
  for (const blob of blobs) {
    if (Date.now() > deadline) { truncated = true; break; }
    if (matcher.sha256(blob.sha256)) byBody.set(blob.id, 'sha256');
    else if (matcher.query.kind !== 'sha256') {
      const text = await store.blobs.text(blob.id);
      if (text !== null && matcher.body(text)) byBody.set(blob.id, 'body');
    }
    if (++done % 200 === 0) progress?.(done, total);
  }
  const loadedFrom = matcher.query.kind === 'host' ? (await scriptUrls(db)).filter((s) => matcher.url(s.url)) : [];
  const byUrl = loadedFrom.map((s) => s.id);
  const found = (byBody.size || byUrl.length) ? await huntVersions(db, { blobIds: [...byBody.keys()], scriptIds: byUrl }) : [];
  const shaOfMatch = new Map(blobs.filter((b) => byBody.has(b.id)).map((b) => [b.sha256, byBody.get(b.id)!]));
  const urls = new Set(loadedFrom.map((s) => s.url));
  const versions = found.map((v) => ({
    ...v,
    matched: [...(shaOfMatch.has(v.sha256) ? [shaOfMatch.get(v.sha256)!] : []), ...(v.url !== null && urls.has(v.url) ? ['url' as const] : [])],
  })).filter((v) => v.matched.length > 0);
  const matchedEvidence: HuntEvidence[] = [];
  for (const file of evidence) {
    if (Date.now() > deadline) { truncated = true; break; }
    let hit = matcher.sha256(file.sha256);
    if (!hit && matcher.query.kind !== 'sha256' && !BINARY.test(file.name)) {
      const text = await store.blobs.text(file.blobId);
      hit = text !== null && matcher.body(text);
    }
    const { blobId: _id, ...shown } = file;
    if (hit) matchedEvidence.push(shown);
    if (++done % 200 === 0) progress?.(done, total);
  }
  progress?.(total, total);
  const destinations = matcher.query.kind === 'host' ? await huntDestinations(db, (h) => matcher.host(h)) : [];
  return { query: matcher.query, versions, destinations, evidence: matchedEvidence, searched: { bodies: blobs.length, evidence: evidence.length, destinations: matcher.query.kind === 'host' }, truncated };
}
