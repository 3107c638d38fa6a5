/**
 * The two halves together: a real workspace exported by the dump engine (our format, with its
 * hostile seed data) imports, verifies, and ends in the same state as `psql -1` would leave;
 * the same file damaged by one byte inside COPY data is refused with nothing committed.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isExporterError } from '../src/errors.js';
import { importDump } from '../src/restore/index.js';
import { useTestDatabase } from './helpers/db.js';
import { captureDbState } from './helpers/db-state.js';
import { exportToFile, tempDir } from './helpers/dump.js';
import { useLegacyInstance } from './helpers/legacy.js';
import { psqlFile } from './helpers/pg-tools.js';

const legacy = await useLegacyInstance({ users: 30, auditLogs: 60 });
const dir = tempDir('fe-roundtrip-');

describe('export then import', () => {
  it.each([1, 3])('imports and verifies a dump written by the dump engine, as psql -1 would load it (--jobs %i)', async (jobs) => {
    const file = join(dir, `cloud-${jobs}.sql`);
    await exportToFile({ mainDatabase: { connectionString: legacy.databaseUrl }, encryptionKey: legacy.encryptionKey, workspaceId: legacy.cloud.id }, file);
    const viaPsql = await useTestDatabase('fe_psql');
    const viaUs = await useTestDatabase('fe_ours');
    const psql = await psqlFile(viaPsql.url, file);
    expect(psql.code, psql.stderr).toBe(0);
    const summary = await importDump({ file, database: { connectionString: viaUs.url }, jobs });
    expect(summary).toMatchObject({ format: 'fief', encryptionKeyOnLine1: true, jobs });
    expect(summary.rows).toBeGreaterThan(0);
    expect(await captureDbState(viaUs.url)).toEqual(await captureDbState(viaPsql.url));

    // One byte changed in the middle of the users' COPY data: the server may well accept the
    // row, but the hash does not match, so nothing is committed.
    const text = await readFile(file, 'utf8');
    const header = text.search(/^COPY \S*\bfief_users"? \(/m);
    expect(header).toBeGreaterThan(0);
    const copy = text.indexOf('\n', header) + 1;
    const at = text.indexOf('@', copy);
    const damaged = join(dir, `damaged-${jobs}.sql`);
    await writeFile(damaged, `${text.slice(0, at)}%${text.slice(at + 1)}`);
    const target = await useTestDatabase('fe_damaged');
    const before = await captureDbState(target.url);
    const err = await importDump({ file: damaged, database: { connectionString: target.url }, jobs }).catch((e: unknown) => e);
    expect(isExporterError(err) && err.code).toBe('IMPORT_VERIFY_FAILED');
    expect((err as Error).message).toMatch(/fief_users: the CRC-32 of its COPY data does not match/);
    expect(await captureDbState(target.url)).toEqual(before);
  });
});
