/**
 * Reads a plain file through a small ring of reused buffers instead of a fresh buffer per
 * read. A streaming import otherwise churns through hundreds of MB of short-lived buffers
 * that V8 only collects once ~64 MB of them have piled up, which alone would double the
 * process's memory. A slot is refilled only after `beforeReuse` resolves: the importer waits
 * there until the database socket has flushed what it was given (COPY data is written
 * straight from these buffers), and every other holder of chunk bytes copies what it keeps.
 */
import { open } from 'node:fs/promises';

const SLOTS = 4;
const SLOT_SIZE = 256 * 1024;

export async function* readPooled(path: string, beforeReuse: () => Promise<void>, onRead: (bytes: number) => void): AsyncGenerator<Buffer> {
  const fh = await open(path, 'r');
  try {
    const pool = Array.from({ length: SLOTS }, () => Buffer.allocUnsafeSlow(SLOT_SIZE));
    let position = 0;
    for (let i = 0; ; i++) {
      const slot = pool[i % SLOTS] as Buffer;
      if (i >= SLOTS) await beforeReuse();
      const { bytesRead } = await fh.read(slot, 0, SLOT_SIZE, position);
      if (bytesRead === 0) return;
      position += bytesRead;
      onRead(bytesRead);
      yield slot.subarray(0, bytesRead);
    }
  } finally {
    await fh.close();
  }
}
