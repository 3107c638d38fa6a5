/** The dump socket's raw reads: every byte in order, coalesced while ahead, and pauses obeyed. */
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { ReusedReadSocket } from '../src/db/reused-read-socket.js';

const CHUNKS = 400;
const CHUNK_BYTES = 1024;

/** A server that sends CHUNKS small writes as fast as its event loop turns, then closes. */
async function trickleServer(): Promise<{ port: number; sent: Buffer; close: () => void }> {
  const sent = Buffer.alloc(CHUNKS * CHUNK_BYTES);
  for (let i = 0; i < sent.length; i++) sent[i] = (i * 7 + (i >> 10)) & 0xff;
  const server = net.createServer((socket) => {
    let i = 0;
    const next = (): void => {
      if (i === CHUNKS) return void socket.end();
      socket.write(sent.subarray(i * CHUNK_BYTES, ++i * CHUNK_BYTES));
      setImmediate(next);
    };
    next();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return { port, sent, close: () => server.close() };
}

let cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup) c();
  cleanup = [];
});

async function rawClient(port: number): Promise<{ socket: ReusedReadSocket; received: Buffer[]; ended: Promise<unknown> }> {
  const socket = new ReusedReadSocket();
  const received: Buffer[] = [];
  socket.setRawReader({ onBytes: (bytes) => void received.push(Buffer.from(bytes)) });
  socket.connect(port, '127.0.0.1');
  cleanup.push(() => socket.destroy());
  const ended = once(socket, 'end');
  // A raw socket still has to be flowing for libuv to read it.
  socket.resume();
  await once(socket, 'connect');
  return { socket, received, ended };
}

describe('ReusedReadSocket', () => {
  it('hands every byte on, in order, in far fewer reads than the server made writes', async () => {
    const server = await trickleServer();
    cleanup.push(server.close);
    const { received, ended } = await rawClient(server.port);
    await ended;
    expect(Buffer.concat(received).equals(server.sent)).toBe(true);
    // Without coalescing, each turn of the loop reads the one write of the turn before.
    expect(received.length).toBeLessThan(CHUNKS / 4);
  });

  it('leaves a pause made by someone else (backpressure) in place until they resume', async () => {
    const server = await trickleServer();
    cleanup.push(server.close);
    const { socket, received, ended } = await rawClient(server.port);
    while (received.length === 0) await sleep(1);
    socket.pause();
    const during = received.length;
    await sleep(30); // the server keeps writing; a coalescing timer must not resume the socket
    expect(received.length).toBe(during);
    socket.resume();
    await ended;
    expect(Buffer.concat(received).equals(server.sent)).toBe(true);
  });
});
