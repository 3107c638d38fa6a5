/**
 * Inputs built to exhaust the importer: a statement that never ends, server messages and
 * notices that quote megabytes. Memory stays bounded (peak RSS of the real CLI process,
 * measured by GNU time) and every message stays readable.
 */
import { spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI_NODE_FLAGS } from './helpers/built-cli.js';
import { cli, expectOneLineError } from './helpers/cli.js';
import { corpusTarget } from './helpers/corpus-target.js';
import { captureDbState } from './helpers/db-state.js';

const target = corpusTarget('fe-limits', 'CREATE TABLE keep (id int PRIMARY KEY);');
let built: Awaited<ReturnType<typeof buildCli>> | null = null;
beforeAll(async () => {
  built = await buildCli();
}, 60_000);
afterAll(() => built?.dispose());

/** A .sql.gz whose second statement opens a quote and never closes it: `megabytes` of text, streamed. */
async function unterminated(path: string, megabytes: number): Promise<void> {
  const line = Buffer.alloc(2 ** 20, 'a');
  line[line.length - 1] = 0x0a;
  function* script(): Generator<Buffer> {
    yield Buffer.from("CREATE TABLE a (x text);\nINSERT INTO a VALUES ('");
    for (let i = 0; i < megabytes; i++) yield line;
  }
  await pipeline(script(), createGzip({ level: 9 }), createWriteStream(path));
}

function peakRss(args: string[]): Promise<{ code: number | null; stderr: string; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'PEAK_RSS_KB %M', process.execPath, ...CLI_NODE_FLAGS, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /PEAK_RSS_KB (\d+)/.exec(stderr);
      resolve({ code, stderr: stderr.replace(/.*PEAK_RSS_KB.*\n?/, '').replace(/Command exited.*\n/, ''), rssMb: Number(m?.[1] ?? NaN) / 1024 });
    });
  });
}

describe('bounded memory and output', () => {
  it('stops a 300 MB unterminated statement in a .sql.gz at the cap, under 100 MB of RSS', async () => {
    const file = join(target.dir, 'endless.sql.gz');
    await unterminated(file, 300);
    const r = await peakRss([built?.main ?? '', 'import', file, '--database-url', target.url]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/^fief-exporter: line 2: the statement starting here is longer than 64 MiB \(an unterminated quote or a missing semicolon\?\)/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.rssMb).toBeLessThan(100);
    expect(await captureDbState(target.url)).toEqual(target.before);
  }, 120_000);

  it('--max-statement-size sets the cap; text with no semicolon is caught too', async () => {
    const file = join(target.dir, 'no-semicolon.sql');
    await writeFile(file, `CREATE TABLE b (x int);\n\nSELECT 1\n${'  + 1\n'.repeat(400_000)}`);
    const r = await cli(['import', file, '--max-statement-size', '1MiB', '--database-url', target.url]);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/^fief-exporter: line 3: the statement starting here is longer than 1 MiB .*; the target database is unchanged$/);
    const bad = await cli(['import', file, '--max-statement-size', 'lots', '--database-url', target.url]);
    expect(bad.code).toBe(2);
    expect(expectOneLineError(bad)).toMatch(/--max-statement-size must be a size such as 64MiB/);
  });

  it('cuts server messages and notices that quote megabytes to a readable length', async () => {
    const file = join(target.dir, 'loud.sql');
    const big = 'x'.repeat(3_000_000);
    await writeFile(file, `DO $$ BEGIN RAISE NOTICE '%', repeat('n', 2000000); END $$;\nSELECT '${big}'::int;\n`);
    const r = await cli(['import', file, '--database-url', target.url]);
    expect(r.code).toBe(1);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^NOTICE: n+… \(\d+ more characters\)$/);
    expect(lines[1]).toMatch(/^fief-exporter: line 2: SELECT 'x+… failed: invalid input syntax for type integer: "x+… \(\d+ more characters\); the target database is unchanged$/);
    expect(r.stderr.length).toBeLessThan(3000);
  });
});
