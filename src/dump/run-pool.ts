/**
 * The buffers the dump's rows travel in ("runs", about a megabyte each), recycled once the
 * consumer says it is done with one. Without recycling, every megabyte of a dump is a fresh
 * buffer and the dead ones wait for V8 to collect them: tens of megabytes of peak RSS that
 * depend on the garbage collector's timing, not on the data.
 *
 * Only a consumer that knows when it has finished with a chunk (the CLI's file sink, after the
 * write completes) calls release(); anything else simply never does, and runs are then
 * garbage-collected as ordinary buffers. Releasing a chunk that is not an outstanding run of
 * this pool (a DDL string's buffer, a run released twice) does nothing.
 */
export class RunPool {
  readonly runBytes: number;
  readonly #free: Buffer[] = [];
  readonly #maxFree: number;
  /** Runs handed out and not yet released, by their memory. */
  readonly #outstanding = new WeakSet<ArrayBufferLike>();

  constructor(runBytes = 1024 * 1024, maxFree = 8) {
    this.runBytes = runBytes;
    this.#maxFree = maxFree;
  }

  take(): Buffer {
    const run = this.#free.pop() ?? Buffer.allocUnsafeSlow(this.runBytes);
    this.#outstanding.add(run.buffer);
    return run;
  }

  /** The consumer no longer needs `chunk` (any view of a run): its run may be reused. */
  release(chunk: Buffer): void {
    const memory = chunk.buffer;
    if (!this.#outstanding.has(memory)) return;
    this.#outstanding.delete(memory);
    if (this.#free.length < this.#maxFree) this.#free.push(Buffer.from(memory, 0, this.runBytes));
  }
}
