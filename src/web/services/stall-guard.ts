/**
 * Time limits for a streamed download, as the last stage before the response in its pipeline:
 * a client that stops reading (socket paused, no FIN) would otherwise hold its export slot and a
 * database backend for as long as it likes. The guard fails the pipeline, which destroys every
 * stream in it (the dump, hence its database client, and the response, hence the socket), when
 * - the client has taken no byte for `stallMs` while bytes were waiting for it, or
 * - the whole download has run for `maxMs`.
 *
 * "Taken" is read off the response's buffered byte count: it drops when the kernel accepts
 * bytes, which it does only as the client reads. Node counts a chunk as pending until all of it
 * is written, so chunks are cut to SLICE_BYTES: a client reading even 2 KB/s shows progress
 * well within a minute, while a 1 MB chunk would look stalled for minutes at that rate.
 */
import { Transform, type TransformCallback, type Writable } from 'node:stream';

export type StopReason = 'stalled' | 'timed_out';

class DownloadStopped extends Error {
  constructor(readonly reason: StopReason) {
    super(reason === 'stalled' ? 'the client stopped reading the download' : 'the download ran longer than allowed');
    this.name = 'DownloadStopped';
  }
}

export interface DownloadLimits {
  stallMs: number;
  maxMs: number;
}

const SLICE_BYTES = 64 * 1024;

/**
 * Put it last before `destination`: `pipeline(source, …, guard, destination)`. It watches until
 * the destination has finished or closed, so a client that stops reading the last bytes (after
 * the guard itself has ended) is still cut off. `stoppedFor` says why it cut the download.
 */
export class DownloadGuard extends Transform {
  stoppedFor: StopReason | null = null;
  readonly #destination: Writable;
  readonly #watch: NodeJS.Timeout;
  readonly #ceiling: NodeJS.Timeout;
  #lastProgress = Date.now();
  #lastPending = 0;

  constructor(destination: Writable, limits: DownloadLimits) {
    super();
    this.#destination = destination;
    this.#watch = setInterval(() => this.#check(limits.stallMs), Math.max(50, Math.min(1000, Math.floor(limits.stallMs / 4))));
    this.#ceiling = setTimeout(() => this.#stop('timed_out'), limits.maxMs);
    this.#watch.unref();
    this.#ceiling.unref();
    destination.on('drain', this.#onDrain);
    destination.once('finish', this.#clear);
    destination.once('close', this.#clear);
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    for (let offset = 0; offset < chunk.length; offset += SLICE_BYTES) this.push(chunk.subarray(offset, offset + SLICE_BYTES));
    callback();
  }

  readonly #onDrain = (): void => {
    this.#lastProgress = Date.now();
  };

  readonly #clear = (): void => {
    clearInterval(this.#watch);
    clearTimeout(this.#ceiling);
    this.#destination.off('drain', this.#onDrain);
  };

  #check(stallMs: number): void {
    const pending = this.#destination.writableLength;
    // Nothing waiting means the client is not what is slow; a smaller backlog means it read.
    if (pending === 0 || pending < this.#lastPending) this.#lastProgress = Date.now();
    this.#lastPending = pending;
    if (Date.now() - this.#lastProgress >= stallMs) this.#stop('stalled');
  }

  #stop(reason: StopReason): void {
    this.#clear();
    this.stoppedFor = reason;
    const error = new DownloadStopped(reason);
    // Either one fails the pipeline, which destroys the rest (the source ends its database client).
    this.destroy(error);
    this.#destination.destroy(error);
  }
}
