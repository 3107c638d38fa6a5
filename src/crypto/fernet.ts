/**
 * Fernet (https://github.com/fernet/spec) on node:crypto: AES-128-CBC + HMAC-SHA256.
 * Keys are used as-is, as Fief does (it overrides sqlalchemy-utils' SHA-256 derivation).
 */
import { createHmac, randomBytes, randomFillSync, timingSafeEqual } from 'node:crypto';
import { ExporterError } from '../errors.js';
import { AesCbc128, PaddingError } from './aes-cbc.js';

const VERSION = 0x80;
const HEADER_LEN = 1 + 8 + 16; // version, timestamp, IV
const HMAC_LEN = 32;
const BLOCK = 16;
const MAX_CLOCK_SKEW_S = 60;

export class FernetTokenError extends ExporterError {
  constructor(reason: string) {
    super('FERNET_INVALID_TOKEN', `invalid Fernet token: ${reason}`);
    this.name = 'FernetTokenError';
  }
}

/** Strict url-safe base64 with padding, as Python's urlsafe_b64decode(validate) would accept. */
function decodeBase64Url(text: string, what: string): Buffer {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9_-]*={0,2}$/.test(text)) {
    throw new FernetTokenError(`${what} is not padded url-safe base64`);
  }
  const bytes = Buffer.from(text, 'base64url');
  // Round-trip rejects non-canonical trailing bits that Buffer.from silently drops.
  if (bytes.toString('base64url') !== text.replace(/=+$/, '')) {
    throw new FernetTokenError(`${what} is not canonical base64`);
  }
  return bytes;
}

/** Url-safe base64 with padding, as Python's urlsafe_b64encode writes it. */
function encodeBase64Url(bytes: Buffer): string {
  const text = bytes.toString('base64url');
  return text + '='.repeat((4 - (text.length % 4)) % 4);
}

// Re-encrypting an export asks for one IV per token: one CSPRNG call per 256 IVs instead of
// one per token (that call was a third of the re-encryption time).
const ivPool = Buffer.alloc(4096);
let ivPoolOffset = ivPool.length;

/** 16 fresh random bytes, valid until the next call (encrypt copies them at once). */
function nextIv(): Buffer {
  if (ivPoolOffset + 16 > ivPool.length) {
    randomFillSync(ivPool);
    ivPoolOffset = 0;
  }
  const iv = ivPool.subarray(ivPoolOffset, ivPoolOffset + 16);
  ivPoolOffset += 16;
  return iv;
}

export function generateKey(): string {
  return encodeBase64Url(randomBytes(32));
}

export interface EncryptOptions {
  /** Seconds since the epoch; only for reproducing test vectors. */
  time?: number;
  /** 16 bytes; only for reproducing test vectors. */
  iv?: Buffer;
}

export class Fernet {
  readonly #signingKey: Buffer;
  readonly #aes: AesCbc128;

  constructor(key: string) {
    let raw: Buffer;
    try {
      raw = decodeBase64Url(key, 'key');
    } catch {
      throw new ExporterError('INVALID_ENCRYPTION_KEY', 'the encryption key is not a Fernet key (44 characters of url-safe base64)');
    }
    if (raw.length !== 32) {
      throw new ExporterError('INVALID_ENCRYPTION_KEY', 'the encryption key is not a Fernet key (it must decode to 32 bytes)');
    }
    this.#signingKey = raw.subarray(0, 16);
    this.#aes = new AesCbc128(raw.subarray(16));
  }

  encrypt(plaintext: string | Buffer, options: EncryptOptions = {}): string {
    const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
    const iv = options.iv ?? nextIv();
    if (iv.length !== 16) throw new RangeError('Fernet IV must be 16 bytes');
    const header = Buffer.alloc(HEADER_LEN);
    header[0] = VERSION;
    header.writeBigUInt64BE(BigInt(Math.floor(options.time ?? Date.now() / 1000)), 1);
    iv.copy(header, 9);
    const body = Buffer.concat([header, this.#aes.encrypt(iv, data)]);
    const mac = createHmac('sha256', this.#signingKey).update(body).digest();
    return encodeBase64Url(Buffer.concat([body, mac]));
  }

  /** Returns the plaintext bytes; `ttl` (seconds) is optional because Fief stores tokens forever. */
  decrypt(token: string, options: { ttl?: number; now?: number } = {}): Buffer {
    const raw = decodeBase64Url(token, 'token');
    if (raw.length < HEADER_LEN + BLOCK + HMAC_LEN || (raw.length - HEADER_LEN - HMAC_LEN) % BLOCK !== 0) {
      throw new FernetTokenError('wrong length');
    }
    if (raw[0] !== VERSION) throw new FernetTokenError('unknown version');
    const body = raw.subarray(0, raw.length - HMAC_LEN);
    const expected = createHmac('sha256', this.#signingKey).update(body).digest();
    if (!timingSafeEqual(expected, raw.subarray(raw.length - HMAC_LEN))) {
      throw new FernetTokenError('HMAC mismatch (wrong key or altered token)');
    }
    const issuedAt = Number(raw.readBigUInt64BE(1));
    if (options.ttl !== undefined) {
      const now = options.now ?? Math.floor(Date.now() / 1000);
      if (issuedAt + options.ttl < now) throw new FernetTokenError('expired');
      if (issuedAt > now + MAX_CLOCK_SKEW_S) throw new FernetTokenError('issued in the future');
    }
    try {
      return this.#aes.decrypt(raw.subarray(9, HEADER_LEN), raw.subarray(HEADER_LEN, raw.length - HMAC_LEN));
    } catch (err) {
      if (err instanceof PaddingError) throw new FernetTokenError('bad padding');
      throw err;
    }
  }

  decryptString(token: string, options: { ttl?: number; now?: number } = {}): string {
    const bytes = this.decrypt(token, options);
    const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    try {
      return text.decode(bytes);
    } catch {
      throw new FernetTokenError('plaintext is not UTF-8');
    }
  }
}
