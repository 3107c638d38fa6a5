/**
 * Our dump format (version 2, and version 1 from earlier builds): verification before COMMIT, truncation, and the target rules (refuse a schema
 * that already holds fief_ tables, or replace it with --clean inside the same transaction).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExporterError } from '../src/errors.js';
import { importDump, type ImportOptions } from '../src/restore/index.js';
import { query, useTestDatabase } from './helpers/db.js';
import { captureDbState } from './helpers/db-state.js';
import { DUMP_KEY, fiefDump } from './helpers/fief-dump.js';

let dir = '';
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fe-format-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(content: string | Buffer): Promise<string> {
  const path = join(dir, `dump-${++n}.sql`);
  await writeFile(path, content);
  return path;
}

/** Runs an import that must fail; returns the error code and message. */
async function failing(opts: ImportOptions): Promise<{ code: string; message: string }> {
  try {
    await importDump(opts);
  } catch (err) {
    if (!isExporterError(err)) throw err;
    expect(err.message).not.toContain(DUMP_KEY);
    return { code: err.code, message: err.message };
  }
  throw new Error('the import succeeded');
}

// Both paths: the single-session replay (--jobs 1) and the parallel load through a staging schema.
describe.each([1, 3])('--jobs %i', (jobs) => {
  describe('our format', () => {
    it.each([2, 1])('imports and verifies a good dump of format version %i', async (version) => {
      const db = await useTestDatabase();
      const summary = await importDump({ file: await file(fiefDump({ version })), database: { connectionString: db.url }, jobs });
      expect(summary).toMatchObject({ format: 'fief', encryptionKeyOnLine1: true, tables: 2, rows: 5, jobs });
      expect(JSON.stringify(summary)).not.toContain(DUMP_KEY);
      const users = await query<{ email: string }>(db.url, 'SELECT email FROM public.fief_users ORDER BY id');
      expect(users.map((u) => u.email)).toEqual(['alice@example.com', 'bob@example.com', '\\.']);
    });

    it('refuses a format version newer than it reads, before running anything', async () => {
      const db = await useTestDatabase();
      const before = await captureDbState(db.url);
      const err = await failing({ file: await file(fiefDump({ version: 3 })), database: { connectionString: db.url }, jobs });
      expect(err.message).toMatch(/line 2: fief-exporter dump format 3 is newer than this fief-exporter reads \(1 or 2\); import it with a newer fief-exporter/);
      expect(await captureDbState(db.url)).toEqual(before);
    });

    it('checks a version 1 dump with SHA-256, not CRC-32', async () => {
      const db = await useTestDatabase();
      const crcLine = fiefDump({ version: 2 }).match(/"crc32":"[0-9a-f]{8}"/g) ?? [];
      expect(crcLine).toHaveLength(2);
      // A version 1 dump whose verify lines carry CRC-32 values is malformed.
      const mixed = fiefDump({ version: 2 }).replace('-- fief-exporter dump format 2', '-- fief-exporter dump format 1');
      const err = await failing({ file: await file(mixed), database: { connectionString: db.url }, jobs });
      expect(err).toMatchObject({ code: 'IMPORT_VERIFY_FAILED' });
      expect(err.message).toMatch(/malformed fief-exporter:verify line/);
    });

    it('accepts the dump after a CRLF conversion (as psql would), still verifying the data', async () => {
      const db = await useTestDatabase();
      const crlf = fiefDump().replace(/\n/g, '\r\n');
      const summary = await importDump({ file: await file(crlf), database: { connectionString: db.url }, jobs });
      expect(summary.jobs).toBe(jobs);
      expect(summary).toMatchObject({ format: 'fief', rows: 5 });
      const bad = await useTestDatabase();
      const altered = crlf.replace('bob@example.com', 'bob@example.org');
      expect(await failing({ file: await file(altered), database: { connectionString: bad.url } })).toMatchObject({ code: 'IMPORT_VERIFY_FAILED' });
    });

    describe('a damaged dump commits nothing', () => {
      let db = { name: '', url: '' };
      let before: Awaited<ReturnType<typeof captureDbState>>;
      beforeAll(async () => {
        db = await useTestDatabase();
        await query(db.url, 'CREATE TABLE keep (id int PRIMARY KEY, v text); INSERT INTO keep VALUES (1, $$x$$), (2, $$y$$)');
        before = await captureDbState(db.url);
      });

      it.each([
        ['a wrong row count', fiefDump({ rows: { fief_clients: 3 } }), 'IMPORT_VERIFY_FAILED', /fief_clients: the server loaded 2 rows but the verify line \(line \d+\) says 3/],
        ['a wrong CRC-32', fiefDump({ checksum: { fief_users: '0'.repeat(8) } }), 'IMPORT_VERIFY_FAILED', /fief_users: the CRC-32 of its COPY data does not match/],
        ['altered data with the old checksum', fiefDump().replace('Web; app', 'Web; APP'), 'IMPORT_VERIFY_FAILED', /fief_clients: the CRC-32/],
        ['a wrong SHA-256 (version 1)', fiefDump({ version: 1, checksum: { fief_users: '0'.repeat(64) } }), 'IMPORT_VERIFY_FAILED', /fief_users: the SHA-256 of its COPY data does not match/],
        ['altered data with the old SHA-256 (version 1)', fiefDump({ version: 1 }).replace('Web; app', 'Web; APP'), 'IMPORT_VERIFY_FAILED', /fief_clients: the SHA-256/],
        ['a wrong total', fiefDump({ completeRows: 6 }), 'IMPORT_VERIFY_FAILED', /announces 2 tables and 6 rows, but 2 tables and 5 rows were loaded/],
        ['no complete line', fiefDump({ omitComplete: true }), 'IMPORT_TRUNCATED', /no "-- fief-exporter:complete" line before line \d+: it is truncated/],
      ])('%s', async (_name, dump, code, pattern) => {
        for (const singleTransaction of [true, false]) {
          const err = await failing({ file: await file(dump), database: { connectionString: db.url }, jobs, singleTransaction });
          expect(err.code).toBe(code);
          expect(err.message).toMatch(pattern);
          expect(err.message).toMatch(/the target database is unchanged|nothing was committed/);
          expect(await captureDbState(db.url)).toEqual(before);
        }
      });

      it('is rejected as truncated wherever it is cut before its complete line', async () => {
        const full = fiefDump();
        const end = full.indexOf('-- fief-exporter:complete');
        const cuts = [full.indexOf('BEGIN;') + 3, full.indexOf('CREATE TABLE') + 20, full.indexOf('bob@'), full.indexOf('\\.\n') + 1, full.indexOf('ALTER TABLE'), end - 10, end];
        for (const cut of cuts) {
          for (const singleTransaction of [true, false]) {
            const err = await failing({ file: await file(full.slice(0, cut)), database: { connectionString: db.url }, jobs, singleTransaction });
            expect(err.code, `cut at ${cut}: ${err.message}`).toBe('IMPORT_TRUNCATED');
            expect(await captureDbState(db.url)).toEqual(before);
          }
        }
      });
    });
  });

  describe('the target', () => {
    it('refuses a schema that already holds fief_ tables, and --clean replaces them in the same transaction', async () => {
      const db = await useTestDatabase();
      const opts = { file: await file(fiefDump()), database: { connectionString: db.url }, jobs };
      await importDump(opts);
      const imported = await captureDbState(db.url);
      await query(db.url, "INSERT INTO fief_clients VALUES ('c0000000-0000-4000-8000-000000000009', 'extra', NULL)");
      const modified = await captureDbState(db.url);

      const refused = await failing(opts);
      expect(refused.code).toBe('IMPORT_TARGET_NOT_EMPTY');
      expect(refused.message).toMatch(/the target schema public already holds 2 fief_ table\(s\) \(fief_clients, fief_users\).*--clean/);
      expect(await captureDbState(db.url)).toEqual(modified);

      // --clean with a damaged dump: the drop is rolled back with everything else.
      const damaged = await failing({ ...opts, file: await file(fiefDump({ checksum: { fief_users: 'f'.repeat(8) } })), clean: true });
      expect(damaged.code).toBe('IMPORT_VERIFY_FAILED');
      expect(await captureDbState(db.url)).toEqual(modified);

      const summary = await importDump({ ...opts, clean: true });
      expect(summary.dropped).toEqual(['fief_clients', 'fief_users', 'fief_acr']);
      expect(await captureDbState(db.url)).toEqual(imported);
    });

    it('checks the schema the dump targets, not public', async () => {
      const db = await useTestDatabase();
      await importDump({ file: await file(fiefDump()), database: { connectionString: db.url }, jobs });
      const ws = { file: await file(fiefDump({ schema: 'ws' })), database: { connectionString: db.url }, jobs };
      await importDump(ws);
      expect(await query(db.url, 'SELECT count(*)::int AS n FROM ws.fief_users')).toEqual([{ n: 3 }]);
      expect((await failing(ws)).message).toMatch(/the target schema ws already holds 2 fief_ table/);
    });
  });
});
