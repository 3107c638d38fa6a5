/**
 * One table's OAuth tokens as COPY text, fetched ahead of its COPY and re-encrypted in the
 * background (token-precompute.ts), then matched by position as the COPY streams.
 */
import { COPY_NL, COPY_TAB, decodeCopyField, encodeCopyField, isNullField } from './copy-text.js';


/**
 * One table's tokens, in the order its COPY rows and columns will carry them. A re-encrypted
 * token is as long as the old one (same plaintext, same padding), so each new token is kept
 * at its old one's offset in a buffer of the same size.
 */
export class TableTokens {
  readonly #old: Buffer;
  readonly #ends: Int32Array;
  readonly #new: Buffer;
  /** 1: #new holds token i's replacement; 0: not computed, or it could not be (left inline). */
  readonly #ready: Uint8Array;
  #done = 0;
  #position = 0;
  #matching = true;

  /** `old`: the tokens' COPY text back to back; `ends`: where each one ends. */
  constructor(old: Buffer, ends: Int32Array) {
    this.#old = old;
    this.#ends = ends;
    this.#new = Buffer.allocUnsafe(old.length);
    this.#ready = new Uint8Array(ends.length);
  }

  /** Bytes of old-token text held. */
  get bytes(): number {
    return this.#old.length;
  }

  get pending(): boolean {
    return this.#matching && this.#done < this.#ends.length;
  }

  /** Precomputes the next token; the caller decides how many fit in a slice. */
  computeNext(reencrypt: (token: string) => string): void {
    const i = this.#done++;
    const start = this.#start(i);
    const end = this.#ends[i] ?? 0;
    try {
      const field = this.#old.toString('utf8', start, end);
      const token = encodeCopyField(reencrypt(field.includes('\\') ? (decodeCopyField(field) ?? '') : field));
      if (Buffer.byteLength(token) !== end - start) return;
      this.#new.write(token, start, 'utf8');
      this.#ready[i] = 1;
    } catch {
      // Left to the streaming path, which stops the export naming the table, column and row.
    }
  }

  /**
   * The COPY field data[from, to) is this table's next token: writes its precomputed
   * replacement over it and returns true, or returns false (the caller computes it inline).
   * After the first field that is not the expected token, it only ever returns false.
   */
  replaceNext(data: Buffer, from: number, to: number): boolean {
    const i = this.#position;
    if (!this.#matching || i >= this.#done) {
      this.#matching = false;
      return false;
    }
    const start = this.#start(i);
    const end = this.#ends[i] ?? 0;
    if (end - start !== to - from || data.compare(this.#old, start, end, from, to) !== 0) {
      this.#matching = false;
      return false;
    }
    this.#position++;
    if (this.#ready[i] !== 1) return false;
    this.#new.copy(data, from, start, end);
    return true;
  }

  #start(i: number): number {
    return i === 0 ? 0 : (this.#ends[i - 1] ?? 0);
  }
}

/** Splits COPY text into fields (rows may straddle chunks), keeping the non-NULL ones. */
export class TokenFieldParser {
  readonly #out: Buffer;
  #used = 0;
  #fieldStart = 0;
  #column = 0;
  #full = false;
  readonly #ends: number[] = [];

  constructor(
    private readonly columns: number,
    capacity: number,
  ) {
    // Pages are only resident once written: a small table costs what it holds.
    this.#out = Buffer.allocUnsafeSlow(capacity);
  }

  push(chunk: Buffer): void {
    let pos = 0;
    while (pos < chunk.length) {
      const last = this.#column === this.columns - 1;
      const found = chunk.indexOf(last ? COPY_NL : COPY_TAB, pos);
      const end = found < 0 ? chunk.length : found;
      this.#append(chunk, pos, end);
      if (found < 0) return;
      this.#endField();
      this.#column = last ? 0 : this.#column + 1;
      pos = found + 1;
    }
  }

  result(): { old: Buffer; ends: Int32Array } {
    return { old: this.#out.subarray(0, this.#used), ends: Int32Array.from(this.#ends) };
  }

  #append(chunk: Buffer, from: number, to: number): void {
    if (this.#full) return;
    if (this.#used + (to - from) > this.#out.length) {
      // Out of budget: drop the partial field and keep what came before it.
      this.#full = true;
      this.#used = this.#fieldStart;
      return;
    }
    this.#used += chunk.copy(this.#out, this.#used, from, to);
  }

  #endField(): void {
    if (this.#full) return;
    if (isNullField(this.#out, this.#fieldStart, this.#used)) {
      this.#used = this.#fieldStart; // NULL: nothing to re-encrypt
    } else {
      this.#ends.push(this.#used);
    }
    this.#fieldStart = this.#used;
  }
}
