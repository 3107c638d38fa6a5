/**
 * The archive writer past the zip format's 32-bit limits: an entry of more than 4 GiB streamed
 * in without its size known up front must come out as zip64 that Info-ZIP's unzip, Python's
 * zipfile and yauzl (the importer's reader) all read, with the entry's exact size and CRC.
 * (A run of one repeated byte deflates a thousandfold, so the archive itself stays small.)
 */
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import { ZipWriter } from '../src/archive/zip-writer.js';
import { run, tempDir } from './helpers/dump.js';

const CHUNK = Buffer.alloc(1 << 20, 'A');
const CHUNKS = 4200; // 4.1 GiB: past 0xffffffff bytes

describe('ZipWriter', () => {
  it('writes an entry past 4 GiB as zip64 that unzip, Python and yauzl read back whole', async () => {
    const path = join(tempDir('fe-zip64-'), 'big.zip');
    const zip = new ZipWriter();
    const written = pipeline(zip.stream, createWriteStream(path));
    const big = await zip.addStream('big.sql', Readable.from((function* () {
      for (let i = 0; i < CHUNKS; i++) yield CHUNK;
    })()));
    const small = await zip.addBuffer('after.txt', Buffer.from('after the big one\n'));
    await zip.finish();
    await written;
    expect(big.bytes).toBe(CHUNKS * CHUNK.length);
    expect(big.bytes).toBeGreaterThan(0xffffffff);
    expect(small.bytes).toBe(18);

    const tested = await run('unzip', ['-t', path]);
    expect(tested.code, tested.stdout + tested.stderr).toBe(0);
    expect(tested.stdout).toMatch(/No errors detected/);
    const python = await run('python3', ['-c', 'import zipfile,sys; z = zipfile.ZipFile(sys.argv[1]); print(" ".join(f"{i.filename}={i.file_size}" for i in z.infolist())); print(z.read("after.txt").decode(), end="")', path]);
    expect(python.code, python.stderr).toBe(0);
    expect(python.stdout).toBe(`big.sql=${big.bytes} after.txt=18\nafter the big one\n`);

    const archive = await yauzl.openPromise(path, { lazyEntries: true });
    const sizes: Record<string, number> = {};
    for await (const entry of archive.eachEntry()) sizes[entry.fileName] = entry.uncompressedSize;
    archive.close();
    expect(sizes).toEqual({ 'big.sql': big.bytes, 'after.txt': 18 });
  }, 300_000);
});
