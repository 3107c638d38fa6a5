/** Our COPY-out reader against pg-copy-streams' copy-to, the reference it is modelled on. */
import { createHash } from 'node:crypto';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dumpSocket, ReusedReadSocket } from '../src/db/reused-read-socket.js';
import { CopyOutStream } from '../src/dump/copy-out.js';
import { RunPool } from '../src/dump/run-pool.js';
import { query, useTestDatabase } from './helpers/db.js';

const db = await useTestDatabase('fe_copyout');

const QUERY = `COPY (SELECT g, repeat(E'x\\t\\\\y\\n', g % 50), CASE WHEN g % 7 = 0 THEN NULL ELSE md5(g::text) END
                       FROM generate_series(1, 60000) g) TO STDOUT`;

async function digest(stream: AsyncIterable<Buffer>, slow = false): Promise<{ sha: string; bytes: number }> {
  const hash = createHash('sha256');
  let bytes = 0;
  let n = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    bytes += chunk.length;
    if (slow && n++ % 20 === 0) await new Promise((r) => setTimeout(r, 1));
  }
  return { sha: hash.digest('hex'), bytes };
}

/** pg-copy-streams' bytes for QUERY, on a plain client (it reads through 'data' events). */
let reference: { sha: string; bytes: number };
beforeAll(async () => {
  const plain = new pg.Client({ connectionString: db.url });
  await plain.connect();
  try {
    reference = await digest(plain.query(copyTo(QUERY)) as AsyncIterable<Buffer>);
  } finally {
    await plain.end();
  }
});

// pg's own socket ('data' events), and the dump's socket whose reads land in one reused buffer.
describe.each([
  ['a plain pg socket', undefined],
  ['the reused-read-buffer socket', dumpSocket],
] as const)('CopyOutStream on %s', (_name, stream) => {
  let client: pg.Client;
  beforeAll(async () => {
    client = new pg.Client({ connectionString: db.url, ...(stream ? { stream } : {}) });
    await client.connect();
    // The socket in use is the one this block means to test.
    expect(client.connection.stream instanceof ReusedReadSocket).toBe(stream !== undefined);
  });
  afterAll(() => client.end());

  it('yields exactly the bytes pg-copy-streams yields, with a fast or a slow consumer', async () => {
    expect(reference.bytes).toBeGreaterThan(1_000_000);
    const fast = client.query(new CopyOutStream(QUERY) as unknown as pg.Submittable) as unknown as CopyOutStream;
    expect(await digest(fast)).toEqual(reference);
    expect(fast.rowCount).toBe(60000);
    const slow = client.query(new CopyOutStream(QUERY) as unknown as pg.Submittable) as unknown as CopyOutStream;
    expect(await digest(slow, true)).toEqual(reference);
    // Small runs: rows and socket reads straddle run boundaries everywhere.
    const small = client.query(new CopyOutStream(QUERY, new RunPool(1000)) as unknown as pg.Submittable) as unknown as CopyOutStream;
    expect(await digest(small, true)).toEqual(reference);
    expect(small.rowCount).toBe(60000);
    // The socket is handed back to pg: the client answers ordinary queries afterwards.
    expect((await client.query<{ one: number }>('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('reports a server error and leaves the client usable', async () => {
    const failing = client.query(new CopyOutStream('COPY no_such_table TO STDOUT') as unknown as pg.Submittable) as unknown as CopyOutStream;
    await expect(digest(failing)).rejects.toThrow(/no_such_table/);
    expect((await client.query<{ two: number }>('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  it('reports an error raised midway through the rows', async () => {
    const failing = client.query(
      new CopyOutStream(`COPY (SELECT CASE WHEN g < 50000 THEN repeat('z', 100) ELSE (1 / (g - g))::text END FROM generate_series(1, 60000) g) TO STDOUT`) as unknown as pg.Submittable,
    ) as unknown as CopyOutStream;
    await expect(digest(failing)).rejects.toThrow(/division by zero/);
    expect((await client.query<{ three: number }>('SELECT 3 AS three')).rows).toEqual([{ three: 3 }]);
  });
});

describe('CopyOutStream destroyed before the end of the COPY', () => {
  // COPY … TO STDOUT has no client-side stop: the stream's own _destroy must take the
  // connection down, or the backend keeps the COPY open and the socket stays paused forever.
  it.each([
    ['a plain pg socket', undefined],
    ['the reused-read-buffer socket', dumpSocket],
  ] as const)('ends the backend on %s', async (_name, stream) => {
    const client = new pg.Client({ connectionString: db.url, application_name: 'fe_copyout_destroy', ...(stream ? { stream } : {}) });
    const clientErrors: Error[] = [];
    client.on('error', (err) => void clientErrors.push(err));
    await client.connect();
    const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    const copy = client.query(new CopyOutStream(QUERY, new RunPool(4096)) as unknown as pg.Submittable) as unknown as CopyOutStream;
    for await (const _chunk of copy) break; // the first run, then the consumer goes away
    const alive = async () => (await query(db.url, 'SELECT 1 FROM pg_stat_activity WHERE pid = $1', [pid])).length > 0;
    for (let i = 0; i < 50 && (await alive()); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await alive()).toBe(false);
    expect(copy.destroyed).toBe(true);
    await client.end();
  });
});
