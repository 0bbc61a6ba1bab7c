import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, type KeyObject, randomBytes, timingSafeEqual } from 'node:crypto';

import { CodedError } from './kabar-error.js';

export enum SecretBoxErrorCode {
  InvalidKey = 'SECRET_KEY_INVALID',
  UnknownKeyId = 'SECRET_KEY_UNKNOWN',
  Corrupt = 'SECRET_CORRUPT',
}

export class SecretBoxError extends CodedError<SecretBoxErrorCode> {}

const VERSION = 'v1';

/**
 * Encryption at rest (AES-256-GCM) and keyed lookup hashes (HMAC-SHA256) from one master key.
 * Ciphertexts carry their key id, so the master key can be rotated: keep old ids for decryption, encrypt with the new,
 * and `reseal` moves old ciphertexts over.
 * Contact points, plugin secrets and API-key secrets go through here; lookups use `lookupHash`, never plaintext.
 * @example const box = new SecretBox({ k1: key }, 'k1'); box.decrypt(box.encrypt('+6281234567890'))
 */
export class SecretBox {
  private readonly encryptionKeys = new Map<string, KeyObject>();
  /** Per held key: lookup keys are derived for each, so the database's own can be chosen once it is known. */
  private readonly lookupKeys = new Map<string, KeyObject>();
  private readonly auditKeys = new Map<string, KeyObject>();
  private readonly checks = new Map<string, string>();
  private lookupKey: KeyObject;
  private lookupId: string;

  constructor(
    masterKeys: Readonly<Record<string, Buffer>>,
    private readonly currentKeyId: string,
    lookupKeyId: string = currentKeyId,
  ) {
    for (const [id, master] of Object.entries(masterKeys)) {
      if (master.length !== 32) throw new SecretBoxError(SecretBoxErrorCode.InvalidKey, `master key ${id} must be 32 bytes`);
      // KeyObjects made once: handing HMAC or a cipher a raw Buffer rebuilds one per call, which showed in the ingest
      // profile (HMAC) and made opening a contact point four times slower (AES-GCM).
      this.encryptionKeys.set(id, createSecretKey(derive(master, 'kabar/encryption')));
      this.auditKeys.set(id, createSecretKey(derive(master, 'kabar/audit')));
      this.lookupKeys.set(id, createSecretKey(derive(master, 'kabar/lookup')));
      this.checks.set(id, createHmac('sha256', derive(master, 'kabar/check')).update('kabar key check', 'utf8').digest('base64url'));
    }
    if (masterKeys[currentKeyId] === undefined) throw new SecretBoxError(SecretBoxErrorCode.UnknownKeyId, `no master key with id ${currentKeyId}`);
    this.lookupId = lookupKeyId;
    this.lookupKey = this.lookupKeyOf(lookupKeyId);
  }

  /** The key id lookup hashes are made under. */
  get lookupKeyId(): string {
    return this.lookupId;
  }

  /**
   * Makes lookup hashes under this held key from now on. Lookup hashes must stay stable across rotations (national
   * IDs are found by them, and not every hashed value is kept sealed to hash again), so they come from one key for the
   * database's life: the hub sets it from the database's key registry as it starts, before anything is hashed.
   */
  useLookupKey(keyId: string): void {
    this.lookupKey = this.lookupKeyOf(keyId);
    this.lookupId = keyId;
  }

  private lookupKeyOf(keyId: string): KeyObject {
    const key = this.lookupKeys.get(keyId);
    if (key === undefined) throw new SecretBoxError(SecretBoxErrorCode.UnknownKeyId, `no master key with id ${keyId} for lookup hashes`);
    return key;
  }

  /** The lookup hash of `value` under a held key, or null for a key not held: how the database's lookup key is found. */
  lookupHashUnder(keyId: string, value: string): string | null {
    const key = this.lookupKeys.get(keyId);
    return key === undefined ? null : createHmac('sha256', key).update(value, 'utf8').digest('base64url');
  }

  /** The key id new ciphertexts and audit seals are made under. */
  get currentId(): string {
    return this.currentKeyId;
  }

  /**
   * A check value per held key: an HMAC of a fixed text under a key derived for nothing else, so the database can
   * remember which key an id stood for (and a mistyped key is refused at start) without learning anything of it.
   */
  keyChecks(): ReadonlyMap<string, string> {
    return this.checks;
  }

  /** The key id a ciphertext was sealed under, or null for something that is not a Kabar ciphertext. */
  static keyIdOf(sealed: string): string | null {
    const [version, keyId] = sealed.split(':', 2);
    return version === VERSION && keyId !== undefined && keyId !== '' ? keyId : null;
  }

  /** The same plaintext sealed under the current key, or null when it already is. */
  reseal(sealed: string): string | null {
    return SecretBox.keyIdOf(sealed) === this.currentKeyId ? null : this.encrypt(this.decrypt(sealed));
  }

  encrypt(plaintext: string): string {
    const key = this.encryptionKeys.get(this.currentKeyId);
    if (key === undefined) throw new SecretBoxError(SecretBoxErrorCode.UnknownKeyId, `no key ${this.currentKeyId}`);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, this.currentKeyId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), body.toString('base64url')].join(':');
  }

  decrypt(sealed: string): string {
    const [version, keyId, iv, tag, body] = sealed.split(':');
    if (version !== VERSION || keyId === undefined || iv === undefined || tag === undefined || body === undefined) {
      throw new SecretBoxError(SecretBoxErrorCode.Corrupt, 'not a Kabar ciphertext');
    }
    const key = this.encryptionKeys.get(keyId);
    if (key === undefined) throw new SecretBoxError(SecretBoxErrorCode.UnknownKeyId, `ciphertext uses unknown key id ${keyId}`);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(SecretBoxErrorCode.Corrupt, 'ciphertext failed authentication');
    }
  }

  /** The key id new audit entries are sealed under. */
  get auditKeyId(): string {
    return this.currentKeyId;
  }

  /** MAC of an audit entry under the given master key (null when this hub no longer holds that key). */
  auditMac(payload: string, keyId: string): string | null {
    const key = this.auditKeys.get(keyId);
    return key === undefined ? null : createHmac('sha256', key).update(payload, 'utf8').digest('base64url');
  }

  /** Deterministic keyed hash for equality lookups (national IDs, phone numbers) without storing the value. */
  lookupHash(value: string): string {
    return createHmac('sha256', this.lookupKey).update(value, 'utf8').digest('base64url');
  }
}

function derive(master: Buffer, info: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), info, 32));
}

/** SHA-256 of a high-entropy secret (API keys): enough on its own, since such secrets cannot be guessed. */
export function hashSecret(secret: string): string {
  return createHmac('sha256', 'kabar/api-key').update(secret, 'utf8').digest('base64url');
}

/** Constant-time comparison of two hashes or signatures. */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/** URL-safe random token of `bytes` bytes of entropy. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}
