// Fetches one published release from an npm registry and hashes the script files its tarball ships (bounded in time and size).

import { createHash } from 'node:crypto';
import { describeError } from '../errors.js';
import { readTarball } from '../detect/intel/release-hashes.js';
import type { FetchedRelease, RegistryClient } from '../detect/intel/intel.js';


const MAX_METADATA_BYTES = 4 * 1024 * 1024;
const MAX_TARBALL_BYTES = 64 * 1024 * 1024;
const SCRIPT_FILE = /\.(?:m|c)?js$/i;

async function readBounded(response: Response, limit: number): Promise<Buffer> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > limit) throw new Error(`answer of ${declared} bytes is over the ${limit}-byte limit`);
  const reader = response.body?.getReader();
  if (!reader) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`answer is over the ${limit}-byte limit`);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}

/** A client for one registry (`https://registry.npmjs.org/` or a mirror). Each request has its own time limit. */
export function createRegistry(url: string, options: { timeoutMs?: number } = {}): RegistryClient {
  const base = url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const get = (target: string) => fetch(target, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json, */*' }, redirect: 'follow' });
  return {
    url: base,
    async fetchRelease(name, version, keep) {
      try {
        const meta = await get(`${base}/${name.replace('/', '%2f')}/${encodeURIComponent(version)}`);
        if (meta.status === 404) return { status: 'missing' };
        if (!meta.ok) return { status: 'failed', reason: `the registry answered HTTP ${meta.status}` };
        const info = JSON.parse((await readBounded(meta, MAX_METADATA_BYTES)).toString('utf8')) as { dist?: { tarball?: unknown } };
        if (typeof info.dist?.tarball !== 'string') return { status: 'missing' };
        const tarball = await get(info.dist.tarball);
        if (!tarball.ok) return { status: 'failed', reason: `the tarball answered HTTP ${tarball.status}` };
        const files = readTarball(await readBounded(tarball, MAX_TARBALL_BYTES))
          .filter((f) => SCRIPT_FILE.test(f.path))
          .map((f) => {
            const path = f.path.replace(/^[^/]+\//, '');
            return { path, sha256: createHash('sha256').update(f.data).digest('hex'), size: f.data.length, ...(path === keep ? { body: f.data.toString('utf8') } : {}) };
          });
        return { status: 'ok', files };
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        return { status: 'failed', reason: cause ?? describeError(error) };
      }
    },
  };
}
