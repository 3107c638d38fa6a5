/**
 * Input plumbing without a database: stdin in tiny pieces (plain and gzip), and the pooled
 * file reader's promise not to overwrite a buffer before the importer says it is free.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExporterError } from '../src/errors.js';
import { openInput } from '../src/restore/input.js';
import { readPooled } from '../src/restore/pooled-file.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fe-input-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function dribble(data: Buffer): Readable {
  return Readable.from((function* () {
    for (let i = 0; i < data.length; i++) yield data.subarray(i, i + 1);
  })());
}

async function readAll(spec: string, stdin: Readable): Promise<Buffer> {
  const input = await openInput(spec, stdin);
  const parts: Buffer[] = [];
  await input.run(async (source) => {
    for await (const chunk of source) parts.push(Buffer.from(chunk as Buffer));
  }, () => Promise.resolve());
  await input.close();
  return Buffer.concat(parts);
}

describe('stdin', () => {
  const script = Buffer.from('SELECT 1;\nCOPY t FROM stdin;\n1\n\\.\n'.repeat(50));

  it('passes plain input through, even one byte at a time', async () => {
    expect((await readAll('-', dribble(script))).equals(script)).toBe(true);
  });

  it('recognises gzip by its magic bytes, even one byte at a time', async () => {
    expect((await readAll('-', dribble(gzipSync(script)))).equals(script)).toBe(true);
  });

  it('reads input shorter than the magic-byte probe', async () => {
    expect((await readAll('-', dribble(Buffer.from('X;')))).toString()).toBe('X;');
    expect((await readAll('-', Readable.from([]))).length).toBe(0);
  });

  it('reports truncated gzip as an input error', async () => {
    const gz = gzipSync(script);
    const err = await readAll('-', Readable.from([gz.subarray(0, gz.length - 30)])).catch((e: unknown) => e);
    expect(isExporterError(err) && err.code).toBe('INPUT_ERROR');
    expect((err as Error).message).toMatch(/the gzip data of stdin is truncated or corrupt/);
  });
});

describe('pooled file reads', () => {
  it('reuses its buffers, but only after beforeReuse resolves', async () => {
    const slot = 256 * 1024;
    const blocks = 7;
    const file = join(dir, 'blocks.bin');
    await writeFile(file, Buffer.concat(Array.from({ length: blocks }, (_, k) => Buffer.alloc(slot, k + 1))));
    const seen: Buffer[] = [];
    let gates = 0;
    const beforeReuse = (): Promise<void> => {
      gates++;
      // The chunk whose buffer is about to be refilled, and the three after it, are still intact.
      seen.slice(-4).forEach((chunk, j) => {
        const k = seen.length - 4 + j;
        expect(chunk.every((b) => b === k + 1)).toBe(true);
      });
      return Promise.resolve();
    };
    let total = 0;
    for await (const chunk of readPooled(file, beforeReuse, (n) => (total += n))) seen.push(chunk);
    expect(total).toBe(blocks * slot);
    expect(gates).toBe(blocks - 4 + 1); // every read after the first four, including the one that finds the end
    // The first chunk's buffer was refilled by the fifth read: the pool really is reused.
    expect(seen[0]?.[0]).toBe(5);
  });
});
