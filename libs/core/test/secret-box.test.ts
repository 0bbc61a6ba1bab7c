import { randomBytes } from 'node:crypto';

import { hashSecret, safeEqual, SecretBox, SecretBoxErrorCode } from '@kabar/core';
import { describe, expect, it } from 'vitest';

describe('SecretBox', () => {
  const k1 = randomBytes(32);
  const k2 = randomBytes(32);

  it('round-trips and never produces the same ciphertext twice', () => {
    const box = new SecretBox({ k1 }, 'k1');
    const a = box.encrypt('+6281234567890');
    expect(a).not.toContain('6281234567890');
    expect(box.encrypt('+6281234567890')).not.toBe(a);
    expect(box.decrypt(a)).toBe('+6281234567890');
  });

  it('opens a value sealed before its keys became KeyObjects: the ciphertext format is unchanged', () => {
    // Sealed by the previous release, which handed AES-GCM the derived key as a Buffer.
    const box = new SecretBox({ k1: Buffer.alloc(32, 1) }, 'k1');
    expect(box.decrypt('v1:k1:BzJYYptKsx8Qx8kb:z148H_Sy__mHx55oBAE3EQ:XuE2XvQwTC2P2qIzarc')).toBe('+6281210000001');
  });

  it('decrypts data sealed under an older key after rotation', () => {
    const old = new SecretBox({ k1 }, 'k1').encrypt('budi@example.id');
    const rotated = new SecretBox({ k1, k2 }, 'k2');
    expect(rotated.decrypt(old)).toBe('budi@example.id');
    expect(rotated.encrypt('x').split(':')[1]).toBe('k2');
  });

  it.each([
    ['tampered', (s: string) => s.slice(0, -2) + (s.endsWith('A') ? 'BB' : 'AA'), SecretBoxErrorCode.Corrupt],
    ['not ours', () => 'plaintext', SecretBoxErrorCode.Corrupt],
    ['unknown key id', (s: string) => s.replace(':k1:', ':k9:'), SecretBoxErrorCode.UnknownKeyId],
  ])('refuses a %s ciphertext', (_name, mangle, code) => {
    const box = new SecretBox({ k1 }, 'k1');
    expect(() => box.decrypt(mangle(box.encrypt('secret')))).toThrow(expect.objectContaining({ code }));
  });

  it('refuses a master key of the wrong size', () => {
    expect(() => new SecretBox({ k1: randomBytes(16) }, 'k1')).toThrow(expect.objectContaining({ code: SecretBoxErrorCode.InvalidKey }));
  });

  it('gives stable keyed lookup hashes that differ between keys', () => {
    const a = new SecretBox({ k1 }, 'k1');
    expect(a.lookupHash('3273010101900001')).toBe(new SecretBox({ k1 }, 'k1').lookupHash('3273010101900001'));
    expect(a.lookupHash('3273010101900001')).not.toBe(new SecretBox({ k2 }, 'k2').lookupHash('3273010101900001'));
  });

  it('keeps lookup hashes under the key it is told to, after the current key has changed', () => {
    const before = new SecretBox({ k1 }, 'k1');
    const rotated = new SecretBox({ k1, k2 }, 'k2', 'k1');
    expect(rotated.lookupKeyId).toBe('k1');
    expect(rotated.lookupHash('3273010101900001')).toBe(before.lookupHash('3273010101900001'));
    expect(() => new SecretBox({ k2 }, 'k2', 'k1')).toThrow(expect.objectContaining({ code: SecretBoxErrorCode.UnknownKeyId }));
  });

  it('reseals an older ciphertext under the current key and leaves a current one alone', () => {
    const old = new SecretBox({ k1 }, 'k1').encrypt('+6281234567890');
    const rotated = new SecretBox({ k1, k2 }, 'k2');
    const moved = rotated.reseal(old);
    expect(moved === null ? null : SecretBox.keyIdOf(moved)).toBe('k2');
    expect(new SecretBox({ k2 }, 'k2').decrypt(moved ?? '')).toBe('+6281234567890');
    expect(moved === null ? 'none' : rotated.reseal(moved)).toBeNull();
    expect(SecretBox.keyIdOf('plaintext')).toBeNull();
    expect(() => new SecretBox({ k2 }, 'k2').reseal(old)).toThrow(expect.objectContaining({ code: SecretBoxErrorCode.UnknownKeyId }));
  });

  it('gives each key a check value that names the key, not the id, and reveals neither', () => {
    const checks = new SecretBox({ k1, k2 }, 'k1').keyChecks();
    expect(checks.get('k1')).toBe(new SecretBox({ k1 }, 'k1').keyChecks().get('k1'));
    expect(checks.get('k2')).not.toBe(checks.get('k1'));
    expect(new SecretBox({ k1: k2 }, 'k1').keyChecks().get('k1')).toBe(checks.get('k2'));
    expect(checks.get('k1')).not.toContain(k1.toString('base64url').slice(0, 8));
  });

  it('hashes API secrets deterministically and compares in constant time', () => {
    expect(hashSecret('s3cret')).toBe(hashSecret('s3cret'));
    expect(safeEqual(hashSecret('s3cret'), hashSecret('s3cret'))).toBe(true);
    expect(safeEqual(hashSecret('s3cret'), hashSecret('other'))).toBe(false);
    expect(safeEqual('short', 'longer')).toBe(false);
  });
});
