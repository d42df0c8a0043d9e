// Resolves a target's expectations (config `expect`) to the SHA-256 of the true bytes: given, read from a local build
// artifact, taken from an npm release (fetched once), or fetched from a URL through the scan's own bounded, SSRF-safe
// fetcher (again after an hour). The true bytes are kept as blobs, once per hash, so a mismatch shows its diff.

import { readFile, stat } from 'node:fs/promises';
import type { TargetConfig } from '../config/config.js';
import { NPM_FILE, sourceOf } from '../config/provenance.js';
import { describeError } from '../errors.js';
import { sha256Hex } from '../plan/fingerprint.js';
import type { Expectation } from '../detect/provenance.js';
import type { RegistryClient } from '../detect/intel/intel.js';
import type { Store } from '../store/open-store.js';
import type { Capturer } from '../capture/capturer.js';

/** How long the bytes a URL gave stand before it is fetched again. */
const URL_FRESH_MS = 3_600_000;

export interface ProvenanceDeps {
  store: Store;
  capturer: Capturer;
  registry: RegistryClient | null;
  maxBodyBytes: number;
  /** The scan's vantage: a URL is fetched the way the scan leaves. */
  vantage?: string;
  now?: () => Date;
}

type Resolved = { sha256: string; body: string | null } | { error: string };

async function fromFile(path: string, maxBytes: number): Promise<Resolved> {
  const info = await stat(path);
  if (info.size > maxBytes) return { error: `${path} is ${info.size} bytes, over limits.maxBodyBytes (${maxBytes})` };
  const body = await readFile(path, 'utf8');
  return { sha256: sha256Hex(body), body };
}

async function fromNpm(spec: string, deps: ProvenanceDeps, now: string): Promise<Resolved> {
  const [, name, version, path] = NPM_FILE.exec(spec)!;
  const releases = deps.store.releases;
  let sha = await releases.fileSha(name!, version!, path!);
  let body: string | null = null;
  if (sha === null) {
    if (!deps.registry) return { error: 'release verification is off (intel.registry), so npm releases cannot be fetched' };
    const fetched = await deps.registry.fetchRelease(name!, version!, path!);
    if (fetched.status === 'failed') return { error: `the registry ${deps.registry.url} could not be reached (${fetched.reason})` };
    if (fetched.status === 'missing') return { error: `${name}@${version} is not published on ${deps.registry.url}` };
    await releases.put({ name: name!, version: version!, status: 'ok', registry: deps.registry.url, files: fetched.files.map(({ path: p, sha256, size }) => ({ path: p, sha256, size })) }, now);
    const file = fetched.files.find((f) => f.path === path);
    if (!file) return { error: `${name}@${version} ships no script file ${path}` };
    sha = file.sha256;
    body = file.body ?? null;
  }
  return { sha256: sha, body };
}

async function fromUrl(url: string, deps: ProvenanceDeps, now: Date): Promise<Resolved> {
  const key = `url ${url}`;
  const cached = await deps.store.releases.source(key);
  if (cached && now.getTime() - Date.parse(cached.fetchedAt) < URL_FRESH_MS) return { sha256: cached.sha256, body: null };
  const capture = await deps.capturer.resource({ name: 'expect', url, ...(deps.vantage ? { vantage: deps.vantage } : {}) });
  const body = capture.outcome.ok ? capture.scripts[0]?.body ?? null : null;
  if (body === null) return { error: capture.outcome.ok ? 'no body' : capture.outcome.reason };
  const sha = sha256Hex(body);
  await deps.store.releases.putSource(key, sha, now.toISOString());
  return { sha256: sha, body };
}

/** The expectations of one scan of `target`, each with its expected SHA-256 or the reason it could not be had. */
export async function resolveExpectations(target: TargetConfig, deps: ProvenanceDeps): Promise<Expectation[]> {
  const now = (deps.now ?? (() => new Date()))();
  const out: Expectation[] = [];
  for (const entry of target.expect ?? []) {
    const { kind, value, label } = sourceOf(entry);
    const script = entry.script ?? target.url;
    let resolved: Resolved;
    try {
      resolved = kind === 'sha256' ? { sha256: value, body: null }
        : kind === 'file' ? await fromFile(value, deps.maxBodyBytes)
        : kind === 'npm' ? await fromNpm(value, deps, now.toISOString())
        : await fromUrl(value, deps, now);
    } catch (error) {
      resolved = { error: describeError(error) };
    }
    if ('error' in resolved) {
      out.push({ script, source: label, sha256: null, error: resolved.error });
      continue;
    }
    // The true bytes, kept for the diff a mismatch shows (stored once per hash, like every body).
    if (resolved.body !== null && (await deps.store.blobs.idOf(resolved.sha256)) === null) await deps.store.blobs.put(resolved.body, resolved.sha256);
    out.push({ script, source: label, sha256: resolved.sha256, error: null });
  }
  return out;
}
