/**
 * `COPY … TO STDOUT` as a Readable, in the manner of pg-copy-streams' copy-to (a pg
 * "submittable" that takes over the socket while the COPY runs), with one difference that
 * matters for a 500 MB dump: it emits the row bytes in runs of about a megabyte instead of one
 * object per row, so the garbage collector and the consumer have almost nothing to do.
 * Backpressure: the socket flows while the consumer wants data and is paused when it does not.
 * Flowing (not 'readable' + read()) matters: read() below the socket's small high-water mark
 * stops and restarts libuv's reading after every read, two epoll_ctl calls per ~25 KB.
 */
import { Readable } from 'node:stream';
import type { Socket } from 'node:net';
import { ReusedReadSocket } from '../db/reused-read-socket.js';
import { RunPool } from './run-pool.js';

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'

interface PgConnection {
  stream: Socket;
  query(text: string): void;
}

type DataHandler = (chunk: Buffer) => void;

export class CopyOutStream extends Readable {
  rowCount = 0;
  readonly text: string;
  #connection: PgConnection | null = null;
  #pgDataHandler: DataHandler | null = null;
  #header = Buffer.alloc(5);
  #headerFill = 0;
  #code = 0;
  /** Bytes of the current message's body still to come. */
  #remaining = 0;
  #detached = false;
  #pausedSocket = false;
  #rawSocket: ReusedReadSocket | null = null;
  readonly #runs: RunPool;
  #out: Buffer | null = null;
  #outFill = 0;
  readonly #onData = (chunk: Buffer): void => this.#parse(chunk);

  /** The buffers handed on are views of `runs` buffers (the last one of a COPY may be shorter). */
  constructor(text: string, runs: RunPool = new RunPool()) {
    super({ highWaterMark: runs.runBytes });
    this.text = text;
    this.#runs = runs;
  }

  submit(connection: PgConnection): void {
    this.#connection = connection;
    const stream = connection.stream;
    if (stream instanceof ReusedReadSocket) {
      // Reads arrive in place in the socket's one buffer (see reused-read-socket.ts).
      this.#rawSocket = stream;
      stream.setRawReader({ onBytes: (bytes) => this.#parse(bytes) });
      connection.query(this.text);
      return;
    }
    const listeners = stream.listeners('data') as DataHandler[];
    if (listeners.length !== 1) throw new Error('unexpected pg connection state');
    this.#pgDataHandler = listeners[0] ?? null;
    // Swapped in the same tick: the socket keeps flowing and no 'data' event is missed.
    if (this.#pgDataHandler) stream.removeListener('data', this.#pgDataHandler);
    stream.on('data', this.#onData);
    connection.query(this.text);
  }

  override _read(): void {
    if (!this.#pausedSocket || this.#detached || !this.#connection) return;
    this.#pausedSocket = false;
    this.#connection.stream.resume();
  }

  /**
   * Walks the protocol messages of one socket read, moves every CopyData payload to the front
   * of the same buffer (copyWithin: a builtin memmove, no per-row object; a Buffer.copy per row
   * allocates a view each time), then appends that prefix to the current output run. Runs of
   * about a megabyte mean downstream (file writes, stream hand-offs) works per megabyte, not
   * per socket read.
   */
  #parse(chunk: Buffer): void {
    let at = 0;
    let pos = 0;
    let done = false;
    while (pos < chunk.length && !done) {
      if (this.#remaining > 0) {
        const n = Math.min(this.#remaining, chunk.length - pos);
        if (this.#code === COPY_DATA) {
          if (pos !== at) chunk.copyWithin(at, pos, pos + n);
          at += n;
        }
        pos += n;
        this.#remaining -= n;
        continue;
      }
      if (this.#headerFill === 0 && chunk[pos] === ERROR_RESPONSE) {
        // Let pg parse the error and what follows; it reports it through handleError.
        this.#append(chunk, at);
        this.#detach(chunk.subarray(pos));
        return;
      }
      if (this.#headerFill === 0 && pos + 5 <= chunk.length) {
        this.#code = chunk[pos] ?? 0;
        this.#remaining = chunk.readUInt32BE(pos + 1) - 4;
        pos += 5;
      } else {
        // A header split across two reads: gather its five bytes.
        while (this.#headerFill < 5 && pos < chunk.length) this.#header[this.#headerFill++] = chunk[pos++] ?? 0;
        if (this.#headerFill < 5) break;
        this.#headerFill = 0;
        this.#code = this.#header[0] ?? 0;
        this.#remaining = this.#header.readUInt32BE(1) - 4;
      }
      if (this.#code === COPY_DATA) this.rowCount++;
      if (this.#code === COPY_DONE) done = true;
    }
    this.#append(chunk, at);
    if (done) {
      this.#flush();
      this.#detach(chunk.subarray(pos));
      this.push(null);
    }
  }

  /** Appends chunk[0, size) to the output run, handing on each run as it fills. */
  #append(chunk: Buffer, size: number): void {
    let from = 0;
    while (from < size) {
      this.#out ??= this.#runs.take();
      const n = Math.min(size - from, this.#out.length - this.#outFill);
      this.#out.set(from === 0 && n === chunk.length ? chunk : chunk.subarray(from, from + n), this.#outFill);
      this.#outFill += n;
      from += n;
      if (this.#outFill === this.#out.length) this.#flush();
    }
  }

  #flush(): void {
    if (!this.#out || this.#outFill === 0) return;
    const run = this.#out.subarray(0, this.#outFill);
    // A fresh run each time: the one handed out belongs to the consumer from now on.
    this.#out = null;
    this.#outFill = 0;
    if (!this.push(run) && !this.#detached && this.#connection) {
      this.#pausedSocket = true;
      this.#connection.stream.pause();
    }
  }

  /** Hands the socket back to pg, with the bytes it has not seen yet. */
  #detach(unread: Buffer): void {
    if (this.#detached || !this.#connection) return;
    const stream = this.#connection.stream;
    if (this.#rawSocket) {
      this.#detached = true;
      this.#rawSocket.setRawReader(null);
      // A copy: the socket's buffer is overwritten by its next read; pg may keep what it gets.
      if (unread.length > 0) stream.emit('data', Buffer.from(unread));
      process.nextTick(() => stream.resume());
      return;
    }
    if (!this.#pgDataHandler) return;
    this.#detached = true;
    stream.removeListener('data', this.#onData);
    stream.addListener('data', this.#pgDataHandler);
    if (unread.length > 0) this.#pgDataHandler(unread);
    // As copy-to does: resume on the next tick, once pg's handler has run.
    process.nextTick(() => stream.resume());
  }

  /**
   * The stream owns its cleanup, as pg-query-stream's does: a COPY … TO STDOUT cannot be
   * stopped from inside the protocol (only the server ends it), so a reader that goes away
   * before the end takes the connection down with it. The backend then ends with the socket;
   * the pg client, left mid-protocol, could not have been used again anyway. After the COPY
   * (or a server error, which hands the socket back to pg first) the connection is left alone.
   */
  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.#detached && this.#connection) {
      this.#detached = true;
      this.#rawSocket?.setRawReader(null);
      this.#connection.stream.destroy();
    }
    // The run being filled was never handed on: it goes back to the pool.
    if (this.#out) this.#runs.release(this.#out);
    this.#out = null;
    callback(err);
  }

  handleError(err: Error): void {
    this.destroy(err);
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {}
}
