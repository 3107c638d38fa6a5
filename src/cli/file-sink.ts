/**
 * The export's output file: a Writable that hands each chunk back to the dump's run pool once
 * it is written, so an export's memory is a handful of recycled buffers whatever the size of
 * the workspace (src/dump/run-pool.ts). Otherwise it behaves as fs.createWriteStream.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { Writable } from 'node:stream';
import type { RunPool } from '../dump/run-pool.js';

export interface FileSinkOptions {
  /** 'w' (truncate), 'wx' (fail if it exists), or open(2) flags (see output-file.ts). */
  flags: 'w' | 'wx' | number;
  mode: number;
  runs: RunPool;
}

export class FileSink extends Writable {
  #handle: FileHandle | null = null;

  constructor(
    private readonly path: string,
    private readonly options: FileSinkOptions,
  ) {
    super({ highWaterMark: options.runs.runBytes });
  }

  override _construct(callback: (err?: Error | null) => void): void {
    open(this.path, this.options.flags, this.options.mode).then((handle) => {
      this.#handle = handle;
      callback();
    }, callback);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.#writeAll([chunk]).then(() => callback(), callback);
  }

  override _writev(chunks: { chunk: Buffer }[], callback: (err?: Error | null) => void): void {
    this.#writeAll(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    const handle = this.#handle;
    this.#handle = null;
    if (!handle) return callback(err);
    handle.close().then(() => callback(err), (closeError: Error) => callback(err ?? closeError));
  }

  async #writeAll(chunks: Buffer[]): Promise<void> {
    const handle = this.#handle;
    if (!handle) throw new Error('the output file is not open');
    let pending = chunks;
    while (pending.length > 0) {
      let { bytesWritten } = await handle.writev(pending);
      // A short write (rare on files, possible near a full disk): carry on from where it stopped.
      const rest: Buffer[] = [];
      for (const buffer of pending) {
        if (bytesWritten >= buffer.length) bytesWritten -= buffer.length;
        else {
          rest.push(bytesWritten > 0 ? buffer.subarray(bytesWritten) : buffer);
          bytesWritten = 0;
        }
      }
      pending = rest;
    }
    for (const chunk of chunks) this.options.runs.release(chunk);
  }
}
