/** Our many-messages AES-128-CBC against node:crypto's own CBC, one cipher object per message. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AesCbc128, PaddingError } from '../src/crypto/aes-cbc.js';

function reference(key: Buffer, iv: Buffer, plaintext: Buffer): Buffer {
  const c = createCipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([c.update(plaintext), c.final()]);
}

describe('AesCbc128', () => {
  it('encrypts a run of messages exactly as a fresh CBC cipher per message would', () => {
    const key = randomBytes(16);
    const aes = new AesCbc128(key);
    for (let i = 0; i < 600; i++) {
      // Lengths 0..99 cover empty input, whole blocks (a full padding block) and partial ones.
      const plaintext = randomBytes(i % 100);
      const iv = randomBytes(16);
      const ours = aes.encrypt(iv, plaintext);
      expect(ours.equals(reference(key, iv, plaintext)), `message ${i}`).toBe(true);
      expect(aes.decrypt(iv, ours).equals(plaintext)).toBe(true);
    }
  });

  it('decrypts what node:crypto encrypted, and the same IV twice gives the same output', () => {
    const key = randomBytes(16);
    const aes = new AesCbc128(key);
    const iv = randomBytes(16);
    const plaintext = Buffer.from('the same message, twice in a row');
    expect(aes.encrypt(iv, plaintext).equals(aes.encrypt(iv, plaintext))).toBe(true);
    const theirs = reference(key, iv, plaintext);
    expect(aes.decrypt(iv, theirs).toString()).toBe('the same message, twice in a row');
  });

  it('rejects bad padding as node:crypto does', () => {
    const key = randomBytes(16);
    const aes = new AesCbc128(key);
    let rejected = 0;
    for (let i = 0; i < 300; i++) {
      const iv = randomBytes(16);
      const ciphertext = randomBytes(16 * (1 + (i % 3)));
      const d = createDecipheriv('aes-128-cbc', key, iv);
      let expected: Buffer | null;
      try {
        expected = Buffer.concat([d.update(ciphertext), d.final()]);
      } catch {
        expected = null;
      }
      if (expected === null) {
        rejected++;
        expect(() => aes.decrypt(iv, ciphertext)).toThrow(PaddingError);
      } else {
        expect(aes.decrypt(iv, ciphertext).equals(expected)).toBe(true);
      }
    }
    expect(rejected).toBeGreaterThan(200);
    expect(() => aes.decrypt(randomBytes(16), randomBytes(15))).toThrow(PaddingError);
    expect(() => aes.decrypt(randomBytes(16), Buffer.alloc(0))).toThrow(PaddingError);
  });
});
