/**
 * A zip archive written as a stream, one entry after the other, with archiver (deflate level 1
 * with an 8 KiB window: the SQL text shrinks about fourfold; the window of 32 KiB that zlib
 * defaults to costs a quarter more CPU for a 1 % smaller archive, docs/benchmarks.md). Each entry's
 * bytes are counted and hashed (SHA-256) on their way in, for the manifest.
 *
 * Entries stream in with a data descriptor, their sizes unknown up front; archiver switches an
 * entry to zip64 fields once it passes 4 GiB, and the archive's end records once offsets do.
 */
import { createHash } from 'node:crypto';
import { PassThrough, Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipArchive, type EntryData } from 'archiver';
import type { RunPool } from '../dump/run-pool.js';
import { ExporterError } from '../errors.js';
import { deflateEntriesWith } from './entry-deflate.js';

export interface EntryStats {
  bytes: number;
  sha256: string;
}

/** Counts and hashes what passes through it; the stats are final once it has ended. */
class EntryTap extends Transform {
  readonly #hash = createHash('sha256');
  bytes = 0;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null, data?: Buffer) => void): void {
    this.#hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  stats(): EntryStats {
    return { bytes: this.bytes, sha256: this.#hash.digest('hex') };
  }
}

export class ZipWriter {
  /** The archive's bytes. Destroying it stops the entry being written (see `onAbort`). */
  readonly stream: PassThrough;
  /** Settles once the archive's last byte has been handed to `stream`. */
  readonly done: Promise<void>;
  readonly #archive: ZipArchive;
  readonly #date: Date;
  #failure: Error | null = null;
  #current: Readable | null = null;
  #entryDone: { name: string; resolve: () => void; reject: (err: Error) => void } | null = null;

  /** `runs`: the pool of the dumps streamed in; each of their chunks goes back to it once deflated. */
  constructor(options: { date?: Date; level?: number; runs?: RunPool } = {}) {
    this.#date = options.date ?? new Date();
    this.#archive = new ZipArchive({ zlib: { level: options.level ?? 1, windowBits: 13 } });
    const runs = options.runs;
    deflateEntriesWith(this.#archive, (chunk) => runs?.release(chunk));
    this.stream = new PassThrough({ highWaterMark: 1024 * 1024 });
    this.#archive.on('entry', (data: EntryData) => {
      if (this.#entryDone?.name === data.name) this.#entryDone.resolve();
    });
    this.#archive.on('error', (err: Error) => this.#fail(err));
    this.done = pipeline(this.#archive, this.stream);
    this.done.catch((err: unknown) => this.#fail(err instanceof Error ? err : new Error(String(err))));
    // A consumer that goes away before the end (closed pipe, browser abort) stops the source.
    this.stream.once('close', () => {
      if (!this.stream.writableFinished) this.#fail(new ExporterError('EXPORT_FAILED', 'the export was aborted'));
    });
  }

  /** Streams `source` into entry `name`; resolves once the entry is complete in the archive. */
  async addStream(name: string, source: Readable): Promise<EntryStats> {
    if (this.#failure) {
      source.destroy(this.#failure);
      throw this.#failure;
    }
    const tap = new EntryTap();
    this.#current = source;
    try {
      const entered = this.#enter(name, tap);
      await Promise.all([pipeline(source, tap), entered]);
      return tap.stats();
    } finally {
      this.#current = null;
    }
  }

  async addBuffer(name: string, data: Buffer): Promise<EntryStats> {
    const entered = this.#enter(name, data);
    await entered;
    return { bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  }

  /** Writes the central directory; resolves when the archive has been handed on in full. */
  async finish(): Promise<void> {
    if (this.#failure) throw this.#failure;
    await this.#archive.finalize();
    await this.done;
  }

  /** Stops everything: the entry's source is destroyed (a dump ends its database session). */
  abort(err: Error): void {
    this.#fail(err);
  }

  #enter(name: string, source: Readable | Buffer): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    const entered = new Promise<void>((resolve, reject) => {
      this.#entryDone = { name, resolve, reject };
    });
    this.#archive.append(source, { name, date: this.#date });
    return entered.finally(() => (this.#entryDone = null));
  }

  #fail(err: Error): void {
    if (this.#failure) return;
    this.#failure = err;
    this.#current?.destroy(err);
    this.#entryDone?.reject(err);
    this.#archive.abort();
    if (!this.stream.destroyed) this.stream.destroy(err);
  }
}
