/**
 * Collects the bytes of one piece of text (a statement, a comment, a meta-command line) that
 * may straddle input chunks. Within a chunk it keeps subarrays; when the chunk ends it copies
 * them (input buffers are reused, see pooled-file.ts), and `take` concatenates once. The
 * result of `take` may point into the current chunk: use it before reading on.
 */
const AT_NEXT_SCAN = -2;
const PAUSED = -1;

export class Span {
  private parts: Buffer[] = [];
  private start = PAUSED;
  private size = 0;
  /** parts[views...] still point into the current input buffer. */
  private views = 0;

  /** Starts (or restarts after `pause`) collecting at `pos` of the current buffer. */
  resume(pos: number): void {
    this.start = pos;
  }

  get collecting(): boolean {
    return this.start !== PAUSED;
  }

  get length(): number {
    return this.size;
  }

  /** Stops collecting before `pos`; the bytes from the last start are kept. */
  pause(buf: Buffer, pos: number): void {
    if (this.start >= 0 && pos > this.start) this.keep(buf.subarray(this.start, pos));
    this.start = PAUSED;
  }

  /** Adds bytes that are not in the input as such (psql's `\;` inserts a bare `;`). */
  append(bytes: Buffer): void {
    this.keep(bytes);
  }

  /** The current buffer ends at `end`: keep what was collected; continue in the next one. */
  carry(buf: Buffer, end: number): void {
    if (this.start >= 0 && end > this.start) this.keep(buf.subarray(this.start, end));
    // The input buffer is about to be reused or dropped: own copies of what points into it.
    for (let i = this.views; i < this.parts.length; i++) this.parts[i] = Buffer.from(this.parts[i] as Buffer);
    this.views = this.parts.length;
    if (this.start !== PAUSED) this.start = AT_NEXT_SCAN;
  }

  /** Called when scanning of a buffer begins at `pos`, to anchor a carried span. */
  anchor(pos: number): void {
    if (this.start === AT_NEXT_SCAN) this.start = pos;
  }

  /** Ends the span at `end` and returns its bytes; the span is empty and paused afterwards. */
  take(buf: Buffer | null, end: number): Buffer {
    if (buf && this.start >= 0 && end > this.start) this.keep(buf.subarray(this.start, end));
    const out = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.size);
    this.reset();
    return out;
  }

  /** Like `carry`, but hands every byte kept so far to `sink` (no copies) and keeps none. */
  carryInto(buf: Buffer, end: number, sink: (parts: Buffer[]) => void): void {
    if (this.start >= 0 && end > this.start) this.keep(buf.subarray(this.start, end));
    sink(this.parts);
    this.parts = [];
    this.size = 0;
    this.views = 0;
    if (this.start !== PAUSED) this.start = AT_NEXT_SCAN;
  }

  reset(): void {
    this.parts = [];
    this.size = 0;
    this.views = 0;
    this.start = PAUSED;
  }

  private keep(bytes: Buffer): void {
    this.parts.push(bytes);
    this.size += bytes.length;
  }
}
