/**
 * The format's checksum (src/dump/format.ts) of a COPY block's data lines as the dump engine wrote them (`\n` line ends). A dump
 * that went through a CRLF conversion still loads in psql (the server accepts `\r\n` in COPY
 * text), so `\r\n` is hashed as `\n`; a bare `\r` is hashed as is. Without any `\r` in a slice
 * this is one native update per slice.
 */
import type { BlockChecksum } from '../dump/format.js';
import { CR, NL } from './bytes.js';

const CR_BYTE = Buffer.from([CR]);

export class CopyHasher {
  private pendingCr = false;

  constructor(private readonly hash: BlockChecksum) {}

  update(slice: Buffer): void {
    if (slice.length === 0) return;
    let from = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (slice[0] !== NL) this.hash.update(CR_BYTE);
    }
    for (;;) {
      const cr = slice.indexOf(CR, from);
      if (cr === -1) {
        if (from < slice.length) this.hash.update(slice.subarray(from));
        return;
      }
      if (cr > from) this.hash.update(slice.subarray(from, cr));
      if (cr === slice.length - 1) {
        this.pendingCr = true; // decided by the next slice's first byte
        return;
      }
      if (slice[cr + 1] !== NL) this.hash.update(CR_BYTE);
      from = cr + 1;
    }
  }

  digest(): string {
    if (this.pendingCr) this.hash.update(CR_BYTE);
    this.pendingCr = false;
    return this.hash.digest();
  }
}
