/**
 * `COPY … TO STDOUT` as a Readable, in the manner of pg-copy-streams' copy-to (a pg
 * "submittable" that takes over the socket while the COPY runs), with one difference that
 * matters for a 500 MB dump: it emits one Buffer per socket read holding all the row bytes in
 * it, instead of one object per row, so the garbage collector has almost nothing to do.
 * Backpressure: the socket is only read while the consumer wants data.
 */
import { Readable } from 'node:stream';
import type { Socket } from 'node:net';

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
  #wanted = false;
  #forwarding = false;
  #detached = false;
  readonly #onReadable = (): void => this.#forward();

  constructor(text: string) {
    super({ highWaterMark: 256 * 1024 });
    this.text = text;
  }

  submit(connection: PgConnection): void {
    this.#connection = connection;
    const stream = connection.stream;
    const listeners = stream.listeners('data') as DataHandler[];
    if (listeners.length !== 1) throw new Error('unexpected pg connection state');
    this.#pgDataHandler = listeners[0] ?? null;
    if (this.#pgDataHandler) stream.removeListener('data', this.#pgDataHandler);
    stream.pause();
    stream.on('readable', this.#onReadable);
    connection.query(this.text);
  }

  override _read(): void {
    this.#wanted = true;
    this.#forward();
  }

  #forward(): void {
    if (this.#forwarding || !this.#wanted || !this.#connection || this.#detached) return;
    this.#forwarding = true;
    const stream = this.#connection.stream;
    let chunk: Buffer | null;
    while (this.#wanted && !this.#detached && (chunk = stream.read() as Buffer | null) !== null) {
      this.#parse(chunk);
    }
    this.#forwarding = false;
  }

  /**
   * Walks the protocol messages of one socket read and moves every CopyData payload to the
   * front of the same buffer (memmove, left to right, never past what was already read), so a
   * read costs no allocation and no per-row object.
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
        this.#push(chunk, at);
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
    this.#push(chunk, at);
    if (done) {
      this.#detach(chunk.subarray(pos));
      this.push(null);
    }
  }

  #push(chunk: Buffer, size: number): void {
    // The socket gives every read a fresh buffer that nothing else holds: handing out a view
    // of it is safe.
    if (size > 0) this.#wanted = this.push(chunk.subarray(0, size));
  }

  /** Hands the socket back to pg, with the bytes it has not seen yet. */
  #detach(unread: Buffer): void {
    if (this.#detached || !this.#connection || !this.#pgDataHandler) return;
    this.#detached = true;
    const stream = this.#connection.stream;
    stream.removeListener('readable', this.#onReadable);
    stream.addListener('data', this.#pgDataHandler);
    if (unread.length > 0) this.#pgDataHandler(unread);
    // As copy-to does: resume on the next tick, once pg's handler has run.
    process.nextTick(() => stream.resume());
  }

  handleError(err: Error): void {
    this.destroy(err);
  }

  handleCommandComplete(): void {}

  handleReadyForQuery(): void {}
}
