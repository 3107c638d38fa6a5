/**
 * The socket under a dump's pg connection: every read lands in one reused buffer (net.Socket
 * `onread`) instead of a fresh buffer per read. A 750 MB export is ~50 000 socket reads; as
 * fresh buffers they are 750 MB of garbage that V8 frees only when its external-memory limit
 * (tens of MB) trips, so peak RSS swung by 30 MB from run to run, and each read also went
 * through Readable's push/emit/nextTick machinery.
 *
 * While a raw reader is attached (a COPY … TO STDOUT in progress, see src/dump/copy-out.ts)
 * it gets the bytes in place and must be done with them when it returns. Otherwise pg's own
 * parser gets each read as a 'data' event, on a copy it may keep. Plain connections only:
 * with TLS, pg wraps the socket and reads through the wrapper, so that keeps pg's own socket.
 *
 * Reads are also coalesced while a raw reader is attached: after a read that brought less
 * than half the buffer (we are ahead of the server), the socket stops reading for one
 * millisecond and the server's bytes gather in the kernel's buffers. Each 8 KB the server
 * sends otherwise wakes this process up again, and on a VM a wake-up from the other core is
 * costly for both sides: on the 577 MB benchmark this took ~24 000 reads down to ~4 700 and
 * the export's CPU from 3.1 to 2.5 s, and put it ahead of pg_dump (docs/benchmarks.md). A
 * read that fills half the buffer or more means the server is ahead: then no pause at all.
 */
import net from 'node:net';

export interface RawReader {
  /** bytes is only valid during the call. */
  onBytes(bytes: Buffer): void;
}

const READ_BUFFER_BYTES = 256 * 1024;
/** A raw read smaller than this pauses reading for COALESCE_MS. */
const COALESCE_BELOW_BYTES = READ_BUFFER_BYTES / 2;
const COALESCE_MS = 1;

export class ReusedReadSocket extends net.Socket {
  #raw: RawReader | null = null;
  /** Set while reading is paused to coalesce reads (see above). */
  #coalescing: NodeJS.Timeout | null = null;

  constructor() {
    const buffer = Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
    // The callback only runs once connected, long after super() has returned.
    const self: { socket?: ReusedReadSocket } = {};
    const onread = {
      buffer,
      callback: (n: number): boolean => {
        self.socket?.deliver(buffer.subarray(0, n));
        return true;
      },
    };
    // `onread` is honoured by the constructor (net.connect passes its options there); Node's
    // types only list it for connect().
    super({ onread } as net.SocketConstructorOpts);
    self.socket = this;
    this.once('close', () => this.#stopCoalescing());
  }

  // Anyone else pausing or resuming the socket (a COPY reader's backpressure, pg) takes over
  // from a coalescing pause: its own resume() decides, not our timer.
  override pause(): this {
    this.#stopCoalescing();
    return super.pause();
  }

  override resume(): this {
    this.#stopCoalescing();
    return super.resume();
  }

  /** Routes reads to `reader` (raw, in place) until called again with null. */
  setRawReader(reader: RawReader | null): void {
    this.#raw = reader;
  }

  /** @internal Where each read goes. */
  deliver(bytes: Buffer): void {
    if (!this.#raw) {
      this.emit('data', Buffer.from(bytes));
      return;
    }
    this.#raw.onBytes(bytes);
    // The reader may have detached (end of the COPY) or paused the socket (backpressure).
    if (this.#raw && bytes.length < COALESCE_BELOW_BYTES && !this.isPaused() && this.#coalescing === null && !this.destroyed) {
      super.pause();
      this.#coalescing = setTimeout(() => {
        this.#coalescing = null;
        super.resume();
      }, COALESCE_MS);
    }
  }

  #stopCoalescing(): void {
    if (this.#coalescing === null) return;
    clearTimeout(this.#coalescing);
    this.#coalescing = null;
  }
}

/** pg's `stream` option: our socket for plain connections, pg's default with TLS. */
export function dumpSocket(config?: { ssl?: unknown }): net.Socket {
  return config?.ssl ? new net.Socket() : new ReusedReadSocket();
}
