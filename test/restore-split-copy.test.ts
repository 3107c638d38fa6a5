/**
 * A COPY block shared between sessions (src/restore/parallel/split-copy.ts): every row arrives
 * once, both sessions load a part of it, and a rejected row is named by its line in the whole
 * block, not in the session's share.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDump } from '../src/restore/index.js';
import { splitCopy } from '../src/restore/parallel/split-copy.js';
import { ServerSession } from '../src/restore/server-session.js';
import { query, useTestDatabase } from './helpers/db.js';
import { captureDbState } from './helpers/db-state.js';
import { fiefDump } from './helpers/fief-dump.js';
import { psqlFile } from './helpers/pg-tools.js';

let db = { name: '', url: '' };
const clients: pg.Client[] = [];
beforeAll(async () => {
  db = await useTestDatabase('fe_split');
});
afterAll(async () => {
  await Promise.all(clients.map((c) => c.end()));
});

it('a dump whose large first table is shared between the job sessions ends as psql -1 leaves it', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'fe-split-'));
  try {
    const file = join(dir, 'large.sql');
    await writeFile(file, fiefDump({ extraUsers: 150_000 }));
    const viaPsql = await useTestDatabase('fe_split_psql');
    const viaUs = await useTestDatabase('fe_split_ours');
    const psql = await psqlFile(viaPsql.url, file);
    expect(psql.code, psql.stderr).toBe(0);
    const summary = await importDump({ file, database: { connectionString: viaUs.url }, jobs: 2 });
    expect(summary).toMatchObject({ rows: 150_005, jobs: 2 });
    // Loaded by both job sessions: more than one transaction wrote its rows.
    const [r] = await query<{ n: string }>(viaUs.url, 'SELECT count(DISTINCT xmin::text) AS n FROM fief_users');
    expect(Number(r?.n)).toBeGreaterThan(1);
    expect(await captureDbState(viaUs.url)).toEqual(await captureDbState(viaPsql.url));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

async function session(): Promise<ServerSession> {
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  clients.push(client);
  return new ServerSession(client);
}

const ROWS = 60_000;
function lines(bad?: number): Buffer {
  return Buffer.from(Array.from({ length: ROWS }, (_, k) => `${k + 1 === bad ? 'x' : k + 1}\tpadding so that the block spans several chunks ${'.'.repeat(k % 40)}\n`).join(''));
}

/** The block as the reader hands it over: slices cut anywhere, the line count taken as each is read. */
function* slices(data: Buffer, counter: { lines: number }): Generator<Buffer> {
  for (let at = 0; at < data.length; at += 65_531) {
    const slice = data.subarray(at, at + 65_531);
    for (const byte of slice) if (byte === 0x0a) counter.lines++;
    yield slice;
  }
}

async function load(table: string, data: Buffer): Promise<number> {
  await query(db.url, `CREATE TABLE ${table} (k int NOT NULL, v text)`);
  const [loader, helper] = [await session(), await session()];
  const waiting = [helper];
  const counter = { lines: 0 };
  return splitCopy(loader, () => waiting.splice(0), `COPY ${table} (k, v) FROM stdin`, slices(data, counter), () => counter.lines);
}

describe('splitCopy', () => {
  it('loads every row once, part of them on each session', async () => {
    const data = lines();
    expect(data.length).toBeGreaterThan(3 << 20);
    expect(await load('shared', data)).toBe(ROWS);
    const [r] = await query<{ n: string; distinct_k: string; sum: string; sessions: string }>(
      db.url,
      'SELECT count(*) AS n, count(DISTINCT k) AS distinct_k, sum(k) AS sum, count(DISTINCT xmin::text) AS sessions FROM shared',
    );
    expect(r).toEqual({ n: String(ROWS), distinct_k: String(ROWS), sum: String((ROWS * (ROWS + 1)) / 2), sessions: '2' });
  });

  it('names a rejected row by its line in the whole block', async () => {
    for (const bad of [1, 17_001, 45_678, ROWS]) {
      const err = await load(`bad_${bad}`, lines(bad)).catch((e: unknown) => e);
      expect((err as { where?: string }).where).toMatch(new RegExp(`^COPY bad_${bad}, line ${bad}, column k: "x"`));
    }
  });
});
