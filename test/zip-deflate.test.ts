/**
 * The zip's own deflater (src/archive/entry-deflate.ts): a dump's row buffers go back to the run
 * pool once zlib has read them, and are then reused for the rows that follow, so the archive
 * must still hold exactly the bytes streamed in, with the CRC-32 and size of those bytes.
 */
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { ZipWriter } from '../src/archive/zip-writer.js';
import { RunPool } from '../src/dump/run-pool.js';

const RUN_BYTES = 64 * 1024;
const RUNS = 200;

/** Run i holds text that differs from every other run's, so a run reused too early shows. */
function fill(run: Buffer, i: number): Buffer {
  const line = Buffer.from(`${i}\trow ${i * 7919}\t${'x'.repeat(i % 50)}\n`);
  for (let at = 0; at < run.length; at += line.length) line.copy(run, at);
  return run;
}

async function zipToBuffer(build: (zip: ZipWriter) => Promise<void>, zip: ZipWriter): Promise<Buffer> {
  const parts: Buffer[] = [];
  const collected = pipeline(zip.stream, new Writable({ write: (chunk: Buffer, _e, cb) => (parts.push(chunk), cb()) }));
  await build(zip);
  await collected;
  return Buffer.concat(parts);
}

async function readEntries(zipped: Buffer): Promise<Map<string, { data: Buffer; crc32: number }>> {
  const archive = await yauzl.fromBufferPromise(zipped, { lazyEntries: true });
  const entries = new Map<string, { data: Buffer; crc32: number }>();
  for await (const entry of archive.eachEntry()) {
    const chunks: Buffer[] = [];
    for await (const chunk of await archive.openReadStreamPromise(entry)) chunks.push(chunk as Buffer);
    entries.set(entry.fileName, { data: Buffer.concat(chunks), crc32: entry.crc32 });
  }
  archive.close();
  return entries;
}

describe('the zip deflater and the run pool', () => {
  it('reuses the row buffers it has deflated, and the entry holds exactly the bytes sent, with their CRC-32', async () => {
    const runs = new RunPool(RUN_BYTES, 8);
    const memories = new Set<ArrayBufferLike>();
    const sent: Buffer[] = [];
    const rows = Readable.from((function* () {
      for (let i = 0; i < RUNS; i++) {
        const run = fill(runs.take(), i);
        memories.add(run.buffer);
        sent.push(Buffer.from(run)); // what the entry must hold, kept apart from the reused run
        yield run;
      }
    })());
    const zipped = await zipToBuffer(async (zip) => {
      await zip.addStream('dump.sql', rows);
      await zip.addBuffer('after.txt', Buffer.from('after\n'));
      await zip.finish();
    }, new ZipWriter({ runs }));

    const expected = Buffer.concat(sent);
    const entries = await readEntries(zipped);
    const dump = entries.get('dump.sql');
    expect(dump?.data.equals(expected)).toBe(true);
    expect(dump?.crc32).toBe(crc32(expected));
    expect(entries.get('after.txt')?.data.toString()).toBe('after\n');
    // Without the pool, each of the 200 runs would be a buffer of its own.
    expect(memories.size).toBeLessThan(20);
  });
});
