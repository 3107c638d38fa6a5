/**
 * AES-128-CBC with PKCS#7 padding for many short messages under one key, without creating a
 * cipher object per message: re-encrypting an export's OAuth tokens spent most of its time in
 * createCipheriv/createDecipheriv (OpenSSL 3 looks the algorithm up on every call).
 *
 * - Encryption keeps one CBC cipher running across messages. Its chaining value after a
 *   message is that message's last ciphertext block, so starting the next message with the
 *   IV `iv` only takes feeding `P1 ⊕ iv ⊕ chain` as the first block: the cipher then computes
 *   E(P1 ⊕ iv), exactly CBC under `iv`. The output is byte for byte what createCipheriv gives.
 * - Decryption needs no chaining state: every block is D(Ci) ⊕ C(i-1), so one ECB pass over
 *   the whole message and a XOR give the plaintext.
 * test/aes-cbc.test.ts checks both against node:crypto's own CBC on random inputs.
 */
import { createCipheriv, createDecipheriv, type Cipher, type Decipher } from 'node:crypto';

const BLOCK = 16;

export class PaddingError extends Error {}

export class AesCbc128 {
  readonly #key: Buffer;
  #encryptor: Cipher | null = null;
  /** The running cipher's chaining value: its last ciphertext block. */
  readonly #chain = Buffer.alloc(BLOCK);
  readonly #decryptor: Decipher;

  constructor(key: Buffer) {
    if (key.length !== 16) throw new RangeError('AES-128 needs a 16-byte key');
    this.#key = Buffer.from(key);
    this.#decryptor = createDecipheriv('aes-128-ecb', this.#key, null).setAutoPadding(false);
  }

  encrypt(iv: Buffer, plaintext: Buffer): Buffer {
    if (iv.length !== BLOCK) throw new RangeError('the IV must be 16 bytes');
    const pad = BLOCK - (plaintext.length % BLOCK);
    const input = Buffer.allocUnsafe(plaintext.length + pad);
    plaintext.copy(input);
    input.fill(pad, plaintext.length);
    for (let i = 0; i < BLOCK; i++) input[i] = (input[i] ?? 0) ^ (iv[i] ?? 0) ^ (this.#chain[i] ?? 0);
    if (!this.#encryptor) {
      this.#chain.fill(0);
      this.#encryptor = createCipheriv('aes-128-cbc', this.#key, this.#chain).setAutoPadding(false);
    }
    let out: Buffer;
    try {
      out = this.#encryptor.update(input);
      if (out.length !== input.length) throw new Error('the block cipher held data back');
    } catch (err) {
      // The chaining value is unknown now: start a fresh cipher next time.
      this.#encryptor = null;
      throw err;
    }
    out.copy(this.#chain, 0, out.length - BLOCK);
    return out;
  }

  /** Throws PaddingError when the last block does not end in valid PKCS#7 padding. */
  decrypt(iv: Buffer, ciphertext: Buffer): Buffer {
    if (iv.length !== BLOCK) throw new RangeError('the IV must be 16 bytes');
    if (ciphertext.length === 0 || ciphertext.length % BLOCK !== 0) throw new PaddingError('not a whole number of blocks');
    const out = this.#decryptor.update(ciphertext);
    if (out.length !== ciphertext.length) throw new Error('the block cipher held data back');
    for (let i = 0; i < BLOCK; i++) out[i] = (out[i] ?? 0) ^ (iv[i] ?? 0);
    for (let i = BLOCK; i < out.length; i++) out[i] = (out[i] ?? 0) ^ (ciphertext[i - BLOCK] ?? 0);
    const pad = out[out.length - 1] ?? 0;
    let bad = pad < 1 || pad > BLOCK ? 1 : 0;
    for (let i = 1; i <= BLOCK; i++) {
      // Constant in shape whatever the padding value, as OpenSSL's own check is.
      if (i <= pad && out[out.length - i] !== pad) bad = 1;
    }
    if (bad) throw new PaddingError('bad padding');
    return out.subarray(0, out.length - pad);
  }
}
