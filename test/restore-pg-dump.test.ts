/**
 * Real pg_dump output, replayed by the importer and by `psql -1 -v ON_ERROR_STOP=1 -f`, must
 * leave two fresh databases in the same state (catalog and data digests).
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { importDump } from '../src/restore/index.js';
import { useTestDatabase } from './helpers/db.js';
import { captureDbState } from './helpers/db-state.js';
import { pgbenchInit, pgDump, psqlFile } from './helpers/pg-tools.js';
import { writeZip } from './helpers/zip-file.js';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fe-restore-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Loads `file` with psql into one fresh database and with importDump into another; returns both states. */
async function bothWays(file: string, importFile = file): Promise<void> {
  const viaPsql = await useTestDatabase('fe_psql');
  const viaUs = await useTestDatabase('fe_ours');
  const psql = await psqlFile(viaPsql.url, file);
  expect(psql.code, psql.stderr).toBe(0);
  await importDump({ file: importFile, database: { connectionString: viaUs.url } });
  expect(await captureDbState(viaUs.url)).toEqual(await captureDbState(viaPsql.url));
}

describe('pg_dump round trips', () => {
  it('pgbench -i -s 1', async () => {
    const source = await useTestDatabase('fe_pgbench');
    await pgbenchInit(source.url, 1);
    const file = join(dir, 'pgbench.sql');
    await pgDump(source.url, file);
    const text = await readFile(file, 'utf8');
    expect(text).toMatch(/^\\restrict \w+$/m); // pg_dump 15.14+ writes the pair
    expect(text).toMatch(/^COPY public\.pgbench_accounts /m);
    await bothWays(file);
    const state = await captureDbState(source.url);
    expect(state.data).toContainEqual(expect.objectContaining({ rel: 'public.pgbench_accounts', rows: 100000 }));
  });

  it('costs psql\'s round trips plus two checks: no settings queries, one target check', async () => {
    // Each round trip counts on a small file: the settings come from the server's startup report.
    const db = await useTestDatabase('fe_trips');
    const file = join(dir, 'three.sql');
    await writeFile(file, 'SET client_min_messages = warning;\nCREATE TABLE t (a int);\nSELECT 1;\n');
    const query = vi.spyOn(pg.Client.prototype, 'query');
    try {
      await importDump({ file, database: { connectionString: db.url } });
      const sent = query.mock.calls.map(([q]) => (typeof q === 'string' ? q : String((q as { text?: unknown }).text)).trim().split(/\s+/).slice(0, 2).join(' '));
      // The staging-schema sweep (docs/import.md), psql -1's BEGIN, the target check, the script, COMMIT.
      expect(sent).toEqual(['SELECT n.nspname', 'BEGIN', 'SET client_min_messages', 'SELECT s.schema,', 'CREATE TABLE', 'SELECT 1;', 'COMMIT']);
    } finally {
      query.mockRestore();
    }
  });

  describe('a database with every kind of object', () => {
    let source = { name: '', url: '' };
    let file = '';
    beforeAll(async () => {
      source = await useTestDatabase('fe_rich');
      const loaded = await psqlFile(source.url, join(import.meta.dirname, 'fixtures/restore/rich-source.sql'));
      expect(loaded.code, loaded.stderr).toBe(0);
      file = join(dir, 'rich.sql');
      await pgDump(source.url, file);
    });

    it('replays to the same state as psql, and as the source', async () => {
      const text = await readFile(file, 'utf8');
      // The dump really contains what the scanner must get right.
      expect(text).toContain('BEGIN ATOMIC');
      expect(text).toMatch(/AS \$_\$/); // pg_dump re-tags a body that holds $$
      expect(text).toContain("E'\\'s'");
      expect(text).toContain('\\\\.'); // a COPY value that is \.
      await bothWays(file);
      const target = await useTestDatabase('fe_rich_copy');
      await importDump({ file, database: { connectionString: target.url } });
      expect(await captureDbState(target.url)).toEqual(await captureDbState(source.url));
    });

    it('replays pg_dump --inserts and --column-inserts output the same way', async () => {
      const inserts = join(dir, 'rich-inserts.sql');
      await pgDump(source.url, inserts, '--column-inserts', '--rows-per-insert=3');
      await bothWays(inserts);
    });

    it('reads the dump gzipped, zipped, and zipped-and-gzipped', async () => {
      const data = await readFile(file);
      const gz = join(dir, 'rich.sql.gz');
      await writeFile(gz, gzipSync(data));
      await bothWays(file, gz);
      const zip = join(dir, 'rich.zip');
      await writeZip(zip, [
        { name: 'README.txt', data: Buffer.from('not the dump') },
        { name: 'dumps/rich.sql', data },
      ]);
      await bothWays(file, zip);
      const zipGz = join(dir, 'rich-gz.zip');
      await writeZip(zipGz, [{ name: 'rich.sql.gz', data: gzipSync(data) }]);
      await bothWays(file, zipGz);
    });

    it('replays the same with --no-single-transaction', async () => {
      const target = await useTestDatabase('fe_rich_nosingle');
      await importDump({ file, database: { connectionString: target.url }, singleTransaction: false });
      expect(await captureDbState(target.url)).toEqual(await captureDbState(source.url));
    });
  });
});
