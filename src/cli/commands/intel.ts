// `scriptwarden intel`: the intelligence in use, and `intel release-hashes` to record published library files.

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../../config/config.js';
import { ScriptwardenError } from '../../errors.js';
import { loadIntel } from '../../run/load-intel.js';
import type { RetireRepository } from '../../detect/intel/libraries.js';
import { addReleaseHashes, libraryNameFor, readTarball } from '../../detect/intel/release-hashes.js';
import { EXIT, type CommandContext } from './context.js';

export function intelCommand(options: { config?: string; json?: boolean }, ctx: CommandContext): number {
  const config = loadConfig(options.config, ctx.cwd, ctx.env);
  const intel = loadIntel(config.intel);
  const summary = {
    libraries: intel.libraries.libraries.length,
    releaseHashes: intel.libraries.hashes.size,
    knownBadHosts: intel.knownBad.hosts.size,
    /** Where published releases are fetched to verify library files; null when off. */
    registry: config.intel.registry,
    sources: intel.sources,
  };
  if (options.json) ctx.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
  else {
    ctx.stdout.write(`${summary.libraries} libraries recognised (${summary.releaseHashes} published files by hash), ${summary.knownBadHosts} known-bad hosts\n`);
    ctx.stdout.write(`published releases verified against ${summary.registry ?? 'nothing (intel.registry: off)'}\n`);
    for (const s of intel.sources) ctx.stdout.write(`  ${s.kind.padEnd(13)} ${String(s.entries).padStart(5)}  ${s.path}\n`);
  }
  return EXIT.ok;
}

function parseSpec(spec: string): { name: string; version: string } {
  const match = /^(@?[a-z0-9][\w.-]*(?:\/[\w.-]+)?)@(\d[\w.+-]*)$/i.exec(spec);
  if (!match) throw new ScriptwardenError('USAGE', `"${spec}" must be PACKAGE@VERSION, for example jquery@3.7.1`);
  return { name: match[1]!, version: match[2]! };
}

async function download(url: string): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  } catch (error) {
    throw new ScriptwardenError('RESOURCE_FETCH_FAILED', `cannot fetch ${url}: ${(error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message}`);
  }
  // The registry has no such release: the caller named one that does not exist. Anything else is the network's.
  if (response.status === 404) throw new ScriptwardenError('NOT_FOUND', `${url} answered HTTP 404: the registry has no such release`);
  if (!response.ok) throw new ScriptwardenError('RESOURCE_FETCH_FAILED', `${url} answered HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

/** Fetches release tarballs from the npm registry and adds their files' hashes to a retire.js-format file. */
export async function releaseHashesCommand(specs: string[], options: { out: string; registry: string }, ctx: CommandContext): Promise<number> {
  const releases = specs.map(parseSpec);
  const out = resolve(ctx.cwd, options.out);
  let repository: RetireRepository = {};
  if (existsSync(out)) {
    try {
      repository = JSON.parse(readFileSync(out, 'utf8')) as RetireRepository;
    } catch (error) {
      throw new ScriptwardenError('USAGE', `${out} exists but is not JSON: ${(error as Error).message}`);
    }
  }
  const registry = options.registry.replace(/\/$/, '');
  for (const { name, version } of releases) {
    const meta = JSON.parse((await download(`${registry}/${name.replace('/', '%2f')}/${version}`)).toString('utf8')) as { dist?: { tarball?: string } };
    if (!meta.dist?.tarball) throw new ScriptwardenError('RESOURCE_FETCH_FAILED', `${name}@${version}: the registry lists no tarball`);
    const files = readTarball(await download(meta.dist.tarball));
    const count = addReleaseHashes(repository, libraryNameFor(name), version, files);
    ctx.stdout.write(`${name}@${version}: ${count} published script file(s) hashed as ${libraryNameFor(name)} ${version}\n`);
  }
  writeFileSync(out, `${JSON.stringify(repository, null, 1)}\n`);
  ctx.stdout.write(`wrote ${out}; list it under intel.libraries in the config\n`);
  return EXIT.ok;
}
