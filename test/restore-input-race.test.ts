/**
 * A broken input must not outrun the statements still running: the import only rolls back
 * once the replay has stopped, or a statement sent after the ROLLBACK would run on its own
 * (autocommit) and stay committed. Here the gzip breaks while the first statement runs, and
 * the next statement has already been decompressed and read.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { constants, createGzip, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExporterError } from '../src/errors.js';
import { importDump } from '../src/restore/index.js';
import { query, useTestDatabase } from './helpers/db.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fe-race-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** The gzip of `head` flushed (so it decompresses on its own), then of `tail`, unfinished. */
async function gzipParts(head: string, tail: string): Promise<[Buffer, Buffer]> {
  const gz = createGzip();
  const out: Buffer[] = [];
  gz.on('data', (d: Buffer) => out.push(d));
  gz.write(head);
  await new Promise<void>((resolve) => gz.flush(constants.Z_SYNC_FLUSH, () => resolve()));
  const first = Buffer.concat(out.splice(0));
  gz.write(tail);
  await new Promise<void>((resolve) => gz.flush(constants.Z_SYNC_FLUSH, () => resolve()));
  return [first, Buffer.concat(out)];
}

describe('a failing input while a statement runs', () => {
  it('commits nothing when the input breaks during a statement (stdin, gzip)', async () => {
    const db = await useTestDatabase('fe_race');
    const [head, tail] = await gzipParts('SELECT pg_sleep(0.5);\nCREATE TABLE raced (x int);\n', `-- ${randomBytes(3000).toString('base64')}\n`);
    const stdin = new PassThrough();
    stdin.write(head);
    // Once BEGIN and pg_sleep are under way, the rest arrives cut short: gunzip fails.
    setTimeout(() => stdin.end(tail.subarray(0, tail.length >> 1)), 250);
    const err = await importDump({ file: '-', stdin, database: { connectionString: db.url } }).catch((e: unknown) => e);
    expect(isExporterError(err) && err.code).toBe('INPUT_ERROR');
    const tables = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'raced'`);
    expect(tables).toEqual([{ n: 0 }]);
  });

  it('commits nothing, not even the statements read before the failure', async () => {
    const db = await useTestDatabase('fe_race');
    // Incompressible filler in a comment: cutting the gzip there leaves both statements whole.
    const script = `SELECT pg_sleep(0.4);\nCREATE TABLE raced (x int);\n-- ${randomBytes(30_000).toString('base64')}\n`;
    const gz = gzipSync(script);
    const path = join(dir, 'cut.sql.gz');
    await writeFile(path, gz.subarray(0, Math.floor(gz.length * 0.8)));
    const err = await importDump({ file: path, database: { connectionString: db.url } }).catch((e: unknown) => e);
    expect(isExporterError(err) && err.code).toBe('INPUT_ERROR');
    expect((err as Error).message).toMatch(/the gzip data of cut\.sql\.gz is truncated or corrupt/);
    const tables = await query<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'raced'`);
    expect(tables).toEqual([{ n: 0 }]);
  });
});
