/**
 * The data of one `COPY ... FROM stdin` block, read as psql reads it: line by line up to a
 * line that is exactly `\.` (before `\n`, `\r\n` or the end of input). The bytes in between are
 * handed on in large slices of the input chunks (no per-row copies); a marker that straddles
 * two chunks is held back until the next chunk decides it.
 */
import * as B from './bytes.js';

export interface CopySlice {
  /** Data bytes to send (a view into the input), or null. */
  data: Buffer | null;
  /** Where scanning resumes in the buffer passed to `scan` (or in the held bytes, see `scan`). */
  next: number;
  /** The `\.` line was found; `next` is just after it. */
  done: boolean;
}

export class CopyScanner {
  /** Data lines seen so far (each `\n` ends one). */
  lines = 0;
  private atLineStart = true;
  private held: Buffer | null = null;

  /**
   * Scans `buf` from `pos`. When bytes were held back from the previous buffer they are joined
   * with this one first, so `next` then indexes `joined` (use `resumeBuffer`).
   */
  scan(input: Buffer, pos: number): CopySlice & { buffer: Buffer } {
    let buf = input;
    let p = pos;
    if (this.held) {
      buf = Buffer.concat([this.held, input.subarray(pos)]);
      p = 0;
      this.held = null;
    }
    const start = p;
    const end = buf.length;
    while (p < end) {
      if (this.atLineStart && buf[p] === B.BACKSLASH) {
        const marker = markerLength(buf, p);
        if (marker > 0) {
          return { buffer: buf, data: p > start ? buf.subarray(start, p) : null, next: p + marker, done: true };
        }
        if (marker < 0) {
          // Too few bytes to tell: hold them until the next chunk.
          this.held = Buffer.from(buf.subarray(p));
          return { buffer: buf, data: p > start ? buf.subarray(start, p) : null, next: end, done: false };
        }
      }
      const nl = buf.indexOf(B.NL, p);
      if (nl === -1) {
        this.atLineStart = false;
        p = end;
        break;
      }
      this.lines++;
      this.atLineStart = true;
      p = nl + 1;
    }
    return { buffer: buf, data: p > start ? buf.subarray(start, p) : null, next: p, done: false };
  }

  /**
   * End of input inside the block. A final `\.` without a newline still ends it (the server
   * accepts that too); anything else is an unterminated block. Returns the held bytes as data.
   */
  finish(): { data: Buffer | null; done: boolean } {
    const held = this.held;
    this.held = null;
    if (!held) return { data: null, done: false };
    if (held.length === 2 && held[1] === B.DOT) return { data: null, done: true };
    return { data: held, done: false };
  }
}

/** At a line start holding `\`: >0 = length of a `\.` marker line, 0 = not a marker, <0 = need more bytes. */
function markerLength(buf: Buffer, p: number): number {
  const n = buf.length - p;
  if (n < 2) return -1;
  if (buf[p + 1] !== B.DOT) return 0;
  if (n < 3) return -1;
  const c2 = buf[p + 2];
  if (c2 === B.NL) return 3;
  if (c2 !== B.CR) return 0;
  if (n < 4) return -1;
  return buf[p + 3] === B.NL ? 4 : 0;
}
