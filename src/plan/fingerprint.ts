// Content fingerprints: SHA-256 for identity, SRI sha384 for pinning in HTML.

import { createHash } from 'node:crypto';

export interface Fingerprint {
  sha256: string;
  sri: string;
  size: number;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function fingerprint(body: string): Fingerprint {
  const bytes = Buffer.from(body, 'utf8');
  return {
    sha256: createHash('sha256').update(bytes).digest('hex'),
    sri: `sha384-${createHash('sha384').update(bytes).digest('base64')}`,
    size: bytes.length,
  };
}
