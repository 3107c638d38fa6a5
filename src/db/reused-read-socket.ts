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
 */
import net from 'node:net';

export interface RawReader {
  /** bytes is only valid during the call. */
  onBytes(bytes: Buffer): void;
}

const READ_BUFFER_BYTES = 256 * 1024;

export class ReusedReadSocket extends net.Socket {
  #raw: RawReader | null = null;

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
  }

  /** Routes reads to `reader` (raw, in place) until called again with null. */
  setRawReader(reader: RawReader | null): void {
    this.#raw = reader;
  }

  /** @internal Where each read goes. */
  deliver(bytes: Buffer): void {
    if (this.#raw) this.#raw.onBytes(bytes);
    else this.emit('data', Buffer.from(bytes));
  }
}

/** pg's `stream` option: our socket for plain connections, pg's default with TLS. */
export function dumpSocket(config?: { ssl?: unknown }): net.Socket {
  return config?.ssl ? new net.Socket() : new ReusedReadSocket();
}
