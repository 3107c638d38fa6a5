/** Recycling the dump's row buffers: the pool, and the CLI's file sink that gives them back. */
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FileSink } from '../src/cli/file-sink.js';
import { RunPool } from '../src/dump/run-pool.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fe-runs-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('RunPool', () => {
  it('hands a released run out again, whatever view of it was released', () => {
    const pool = new RunPool(64);
    const a = pool.take();
    expect(a.length).toBe(64);
    pool.release(a.subarray(3, 10));
    const b = pool.take();
    expect(b.buffer).toBe(a.buffer);
    expect(b.length).toBe(64);
  });

  it('ignores buffers that are not outstanding runs: foreign ones, and a run released twice', () => {
    const pool = new RunPool(64);
    pool.release(Buffer.alloc(64));
    const a = pool.take();
    pool.release(a);
    pool.release(a);
    const b = pool.take();
    const c = pool.take();
    expect(b.buffer).toBe(a.buffer);
    expect(c.buffer).not.toBe(a.buffer);
  });

  it('keeps at most maxFree runs for reuse', () => {
    const pool = new RunPool(16, 2);
    const runs = [pool.take(), pool.take(), pool.take()];
    for (const r of runs) pool.release(r);
    const again = [pool.take(), pool.take(), pool.take()].map((r) => r.buffer);
    expect(again.filter((m) => runs.some((r) => r.buffer === m))).toHaveLength(2);
  });
});

describe('FileSink', () => {
  it('writes every chunk in order and gives runs back only once written: reused runs never corrupt the file', async () => {
    const pool = new RunPool(4096);
    const seen = new Set<ArrayBufferLike>();
    const expected: Buffer[] = [];
    let i = 0;
    // Takes a run per chunk as the pipeline asks for more, so runs are reused while it flows;
    // a run given back before it was written would be overwritten with a later chunk's bytes.
    const source = new Readable({
      read() {
        if (i === 300) return void this.push(null);
        const run = pool.take();
        seen.add(run.buffer);
        const size = 1 + ((i * 37) % 4096);
        run.fill(i % 251, 0, size);
        expected.push(Buffer.from(run.subarray(0, size)));
        this.push(run.subarray(0, size));
        if (i % 7 === 0) {
          const ddl = Buffer.from(`-- not a run ${i}\n`);
          expected.push(ddl);
          this.push(ddl);
        }
        i++;
      },
    });
    const path = join(dir, 'out.sql');
    await pipeline(source, new FileSink(path, { flags: 'wx', mode: 0o600, runs: pool }));
    expect((await readFile(path)).equals(Buffer.concat(expected))).toBe(true);
    // Runs were recycled (far fewer distinct buffers than chunks), and are back at the end.
    expect(seen.size).toBeLessThan(150);
    expect(seen.has(pool.take().buffer)).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
  });

  it('refuses an existing file with flags wx, and reports the error through the pipeline', async () => {
    const path = join(dir, 'exists.sql');
    await pipeline(Readable.from([Buffer.from('x')]), new FileSink(path, { flags: 'wx', mode: 0o600, runs: new RunPool() }));
    await expect(pipeline(Readable.from([Buffer.from('y')]), new FileSink(path, { flags: 'wx', mode: 0o600, runs: new RunPool() }))).rejects.toMatchObject({ code: 'EEXIST' });
    await pipeline(Readable.from([Buffer.from('z')]), new FileSink(path, { flags: 'w', mode: 0o600, runs: new RunPool() }));
    expect(await readFile(path, 'utf8')).toBe('z');
  });
});
