import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { Fernet, FernetTokenError, generateKey } from '../src/crypto/fernet.js';
import { ExporterError } from '../src/errors.js';

interface Vectors {
  valid: { key: string; plaintext: string; time: number; iv: string; token: string }[];
  invalid: { key: string; token: string; why: string }[];
}
// Made by Python's `cryptography` (pyca) with keys used as-is, as Fief does.
const vectors = JSON.parse(readFileSync(new URL('./fixtures/fernet-vectors.json', import.meta.url), 'utf8')) as Vectors;

describe('Fernet against Python vectors', () => {
  it.each(vectors.valid.map((v) => [v.plaintext.slice(0, 24), v] as const))('decrypts %j', (_label, v) => {
    expect(new Fernet(v.key).decryptString(v.token)).toBe(v.plaintext);
  });

  it.each(vectors.valid.map((v) => [v.plaintext.slice(0, 24), v] as const))('encrypts %j byte for byte', (_label, v) => {
    const token = new Fernet(v.key).encrypt(v.plaintext, { time: v.time, iv: Buffer.from(v.iv, 'hex') });
    expect(token).toBe(v.token);
  });

  it.each(vectors.invalid.map((v) => [v.why, v] as const))('rejects a token with %s', (_why, v) => {
    expect(() => new Fernet(v.key).decrypt(v.token)).toThrow(FernetTokenError);
  });
});

describe('Fernet', () => {
  it('round-trips Buffers and UTF-8 with a generated key', () => {
    const f = new Fernet(generateKey());
    const bytes = Buffer.from([0, 255, 10, 13, 92]);
    expect(f.decrypt(f.encrypt(bytes)).equals(bytes)).toBe(true);
    expect(f.decryptString(f.encrypt('שלום 👋 \\.'))).toBe('שלום 👋 \\.');
  });

  it('generates distinct 44-character keys', () => {
    const a = generateKey();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(generateKey()).not.toBe(a);
  });

  it('honours an optional TTL', () => {
    const f = new Fernet(generateKey());
    const token = f.encrypt('x', { time: 1_000_000 });
    expect(f.decryptString(token, { ttl: 10, now: 1_000_005 })).toBe('x');
    expect(() => f.decrypt(token, { ttl: 10, now: 1_000_011 })).toThrow(/expired/);
    expect(f.decryptString(token)).toBe('x');
  });

  it('rejects keys that are not Fernet keys with a typed error', () => {
    for (const bad of ['', 'short', 'IpHYzcMQQR5-wnN4pmHJNRh8B-TVY26bw8QAsnJEuM0', 'IpHYzcMQQR5+wnN4pmHJNRh8B/TVY26bw8QAsnJEuM0=', 'A'.repeat(44)]) {
      expect(() => new Fernet(bad)).toThrow(ExporterError);
    }
  });

  it('never returns garbage for a token made under another key', () => {
    const token = new Fernet(generateKey()).encrypt('secret');
    expect(() => new Fernet(generateKey()).decrypt(token)).toThrow(/HMAC/);
  });

  it('rejects padding-free, wrong-version and non-canonical tokens', () => {
    const f = new Fernet(generateKey());
    const token = f.encrypt('abc');
    expect(() => f.decrypt(token.replace(/=+$/, ''))).toThrow(FernetTokenError);
    const raw = Buffer.from(token, 'base64url');
    raw[0] = 0x81;
    expect(() => f.decrypt(raw.toString('base64url') + '=='.slice(0, (4 - (raw.toString('base64url').length % 4)) % 4))).toThrow(/version/);
  });
});
