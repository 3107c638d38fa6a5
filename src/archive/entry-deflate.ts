/**
 * The deflater of a zip entry, in place of the one archiver's zip engine makes (crc32-stream's
 * DeflateCRC32Stream): the same raw deflate and the same CRC-32, size and compressed size, with
 * two differences that matter for a dump of hundreds of megabytes:
 *
 * - the CRC-32 is Node's native zlib.crc32 instead of the `crc-32` package's JavaScript, about a
 *   fifth of the CPU time, on the event loop that also reads the database;
 * - each input chunk is handed to `onConsumed` once zlib has read it, so the dump's row buffers
 *   go back to their pool (src/dump/run-pool.ts) instead of waiting for the garbage collector.
 */
import type { Writable } from 'node:stream';
import { crc32, DeflateRaw, type ZlibOptions } from 'node:zlib';
import type { ZipArchive } from 'archiver';

class EntryDeflate extends DeflateRaw {
  crc = 0;
  rawSize = 0;
  compressedSize = 0;

  constructor(
    options: ZlibOptions,
    private readonly onConsumed: (chunk: Buffer) => void,
  ) {
    super(options);
  }

  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (Buffer.isBuffer(chunk)) this.compressedSize += chunk.length;
    return super.push(chunk, encoding);
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.crc = crc32(chunk, this.crc);
    this.rawSize += chunk.length;
    // zlib calls back once it has read the whole chunk; it keeps no reference to it after that.
    super._transform(chunk, encoding, (err?: Error | null) => {
      this.onConsumed(chunk);
      callback(err);
    });
  }
}

/** What this module uses of compress-commons' ZipArchiveEntry. */
interface ZipEntry {
  getMethod(): number;
  setCrc(crc: number): void;
  setSize(size: number): void;
  setCompressedSize(size: number): void;
}

/** What this module uses of archiver's zip engine (zip-stream, a compress-commons ZipArchiveOutputStream). */
interface ZipEngine extends Writable {
  options: { zlib: ZlibOptions };
  _smartStream(entry: ZipEntry, callback: (err: Error | null, entry: ZipEntry) => void): Writable;
  _afterAppend(entry: ZipEntry): void;
}

const METHOD_DEFLATED = 8;

/**
 * Makes `archive` deflate its entries with EntryDeflate. archiver has no option for the
 * deflater, so this replaces its zip engine's `_smartStream` (compress-commons 7), keeping what
 * that method does after the entry's last byte: the entry's CRC and sizes, then the data
 * descriptor (`_afterAppend`). Stored entries keep the engine's own path. If archiver's
 * internals change shape, this throws at once rather than write a wrong archive.
 */
export function deflateEntriesWith(archive: ZipArchive, onConsumed: (chunk: Buffer) => void): void {
  const engine = (archive as unknown as { _module?: { engine?: Partial<ZipEngine> } })._module?.engine;
  if (typeof engine?._smartStream !== 'function' || typeof engine._afterAppend !== 'function' || typeof engine.options?.zlib !== 'object') {
    throw new Error("archiver's zip engine is not the one this version of fief-exporter knows");
  }
  const zipEngine = engine as ZipEngine;
  const ownSmartStream = zipEngine._smartStream.bind(zipEngine);
  zipEngine._smartStream = (entry, callback) => {
    if (entry.getMethod() !== METHOD_DEFLATED) return ownSmartStream(entry, callback);
    const deflate = new EntryDeflate(zipEngine.options.zlib, onConsumed);
    let error: Error | null = null;
    deflate.once('error', (err: Error) => (error = err));
    deflate.once('end', () => {
      entry.setCrc(deflate.crc >>> 0);
      entry.setSize(deflate.rawSize);
      entry.setCompressedSize(deflate.compressedSize);
      zipEngine._afterAppend(entry);
      callback(error, entry);
    });
    deflate.pipe(zipEngine, { end: false });
    return deflate;
  };
}
