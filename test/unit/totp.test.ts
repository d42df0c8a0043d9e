// Unit: TOTP against the RFC 6238 appendix B vectors (SHA-1, SHA-256, SHA-512), HOTP against RFC 4226, base32, drift.

import assert from 'node:assert/strict';
import { describe, it } from 'vitest';
import { base32Decode, base32Encode, hotp, otpauthUri, totp, verifyTotp } from '../../src/auth/totp.js';

const SEEDS = {
  sha1: Buffer.from('12345678901234567890'),
  sha256: Buffer.from('12345678901234567890123456789012'),
  sha512: Buffer.from('1234567890123456789012345678901234567890123456789012345678901234'),
} as const;

// RFC 6238 appendix B: time, then the 8-digit codes for SHA-1, SHA-256 and SHA-512.
const VECTORS: [number, string, string, string][] = [
  [59, '94287082', '46119246', '90693936'],
  [1111111109, '07081804', '68084774', '25091201'],
  [1111111111, '14050471', '67062674', '99943326'],
  [1234567890, '89005924', '91819424', '93441116'],
  [2000000000, '69279037', '90698825', '38618901'],
  [20000000000, '65353130', '77737706', '47863826'],
];

describe('TOTP (RFC 6238)', () => {
  for (const [time, sha1, sha256, sha512] of VECTORS) {
    it(`matches the appendix B codes at T=${time}`, () => {
      assert.equal(totp(SEEDS.sha1, time, { algorithm: 'sha1', digits: 8 }), sha1);
      assert.equal(totp(SEEDS.sha256, time, { algorithm: 'sha256', digits: 8 }), sha256);
      assert.equal(totp(SEEDS.sha512, time, { algorithm: 'sha512', digits: 8 }), sha512);
    });
  }

  it('matches the HOTP codes of RFC 4226 appendix D', () => {
    const expected = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
    assert.deepEqual(expected.map((_, counter) => hotp(SEEDS.sha1, counter)), expected);
  });

  it('accepts one step of clock drift either way, and says which step matched', () => {
    const now = 1_800_000_000;
    const step = Math.floor(now / 30);
    assert.equal(verifyTotp(SEEDS.sha1, totp(SEEDS.sha1, now - 30), now), step - 1);
    assert.equal(verifyTotp(SEEDS.sha1, totp(SEEDS.sha1, now + 30), now), step + 1);
    assert.equal(verifyTotp(SEEDS.sha1, totp(SEEDS.sha1, now - 90), now), null);
    assert.equal(verifyTotp(SEEDS.sha1, '12345', now), null, 'wrong length');
    assert.equal(verifyTotp(SEEDS.sha1, '12a456', now), null, 'not digits');
  });

  it('round-trips base32 and builds an otpauth URI', () => {
    assert.equal(base32Encode(SEEDS.sha1), 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ');
    assert.deepEqual(base32Decode('gezd gnbv gy3t qojq gezd gnbv gy3t qojq'), SEEDS.sha1);
    assert.equal(base32Decode('GEZ1'), null);
    assert.equal(otpauthUri(SEEDS.sha1, 'alice@example.com'), 'otpauth://totp/scriptwarden:alice%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=scriptwarden&algorithm=SHA1&digits=6&period=30');
  });
});
