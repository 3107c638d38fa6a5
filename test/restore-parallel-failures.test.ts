/**
 * The parallel load is all-or-nothing too: whatever fails — a bad row, a key that does not
 * validate, a job session cut off, the importer killed or interrupted — the target database is
 * exactly as before, and no staging schema is left behind (a killed run's is removed, with a
 * message, by the next run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isExporterError } from '../src/errors.js';
import { importDump } from '../src/restore/index.js';
import { corpusTarget } from './helpers/corpus-target.js';
import { query } from './helpers/db.js';
import { captureDbState } from './helpers/db-state.js';
import { fiefDump } from './helpers/fief-dump.js';

// A schema with the staging prefix but not our marker is someone else's: it must survive.
const target = corpusTarget('fe-parallel', 'CREATE TABLE keep (id int PRIMARY KEY, v text); INSERT INTO keep VALUES (1, $$x$$); CREATE SCHEMA fief_exporter_staging_notours');

async function file(name: string, content: string): Promise<string> {
  const path = join(target.dir, name);
  await writeFile(path, content);
  return path;
}

async function stagingSchemas(): Promise<string[]> {
  const rows = await query<{ n: string }>(target.url, "SELECT nspname AS n FROM pg_namespace WHERE nspname LIKE 'fief\\_exporter\\_staging\\_%' AND nspname <> 'fief_exporter_staging_notours'");
  return rows.map((r) => r.n);
}

async function failing(path: string, jobs = 3): Promise<string> {
  const err = await importDump({ file: path, database: { connectionString: target.url }, jobs }).catch((e: unknown) => e);
  if (!isExporterError(err)) throw new Error(`expected the import to fail, got ${String(err)}`);
  expect(err.message).toMatch(/the target database is unchanged/);
  return err.message;
}

/** Waits until a job session streams COPY data into the staging schema. */
async function whenCopying(child: ChildProcess): Promise<void> {
  for (let k = 0; k < 600; k++) {
    if (child.exitCode !== null) throw new Error('the import ended before the COPY started');
    const rows = await query(target.url, "SELECT 1 FROM pg_stat_activity WHERE application_name LIKE 'fief-exporter import job%' AND state = 'active' AND query LIKE 'COPY%'");
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('no COPY seen');
}

function start(path: string): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'import', path, '--database-url', target.url, '--jobs', '2'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, stderr: () => stderr, exit };
}

/** Starts the CLI on a large dump and sends `signal` while a job streams COPY data. */
async function signalledMidCopy(name: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
  const run = start(await file(name, fiefDump({ extraUsers: 300_000 })));
  await whenCopying(run.child);
  run.child.kill(signal);
  return { code: await run.exit, stderr: run.stderr() };
}

describe('a failed parallel load leaves the target as it was', () => {
  it('a bad row in the last table', async () => {
    const dump = fiefDump().replace('CLI\t\\N', 'CLI\tnot-a-uuid');
    expect(await failing(await file('bad-row.sql', dump))).toMatch(/COPY data for fief_clients was rejected: invalid input syntax for type uuid/);
    expect(await stagingSchemas()).toEqual([]);
    expect(await captureDbState(target.url)).toEqual(target.before);
  });

  it('a bad row deep in a large block that two sessions share: named by its line in the file', async () => {
    const dump = fiefDump({ extraUsers: 300_000 }).replace('\tuser250000@example.com\t1\t', '\tuser250000@example.com\t7\t');
    const line = dump.slice(0, dump.indexOf('user250000@')).split('\n').length;
    expect(await failing(await file('bad-shared-row.sql', dump), 2)).toMatch(new RegExp(`^line ${line}: COPY data for fief_users was rejected: invalid input value for enum fief_acr: "7"`));
    expect(await stagingSchemas()).toEqual([]);
    expect(await captureDbState(target.url)).toEqual(target.before);
  });

  it('a foreign key that does not validate', async () => {
    const dump = fiefDump({ clients: ['c0000000-0000-4000-8000-000000000001\tWeb\ta1b2c3d4-0000-4000-8000-0000000000ff'] });
    expect(await failing(await file('bad-fk.sql', dump))).toMatch(/fief_clients_user_id_fkey/);
    expect(await stagingSchemas()).toEqual([]);
    expect(await captureDbState(target.url)).toEqual(target.before);
  });

  it('a job session cut off by the server (pg_terminate_backend)', async () => {
    const path = await file('big-terminated.sql', fiefDump({ extraUsers: 300_000 }));
    const load = failing(path, 2);
    for (let k = 0; k < 600; k++) {
      const { length } = await query(target.url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'fief-exporter import job%' AND query LIKE 'COPY%'");
      if (length > 0) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(await load).toMatch(/terminat|connection/i);
    expect(await stagingSchemas()).toEqual([]);
    expect(await captureDbState(target.url)).toEqual(target.before);
  });

  it('Ctrl-C (SIGINT) during the load', async () => {
    const run = await signalledMidCopy('big-interrupted.sql', 'SIGINT');
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/interrupted \(SIGINT\).*the target database is unchanged/);
    expect(await stagingSchemas()).toEqual([]);
    expect(await captureDbState(target.url)).toEqual(target.before);
  });

  it('a killed importer (SIGKILL): the next run removes its staging schema, with a message', async () => {
    await signalledMidCopy('big-killed.sql', 'SIGKILL');
    expect(await stagingSchemas()).toHaveLength(1); // what a killed process cannot clean up

    const next = start(await file('next-bad.sql', fiefDump().replace('CLI\t\\N', 'CLI\tnot-a-uuid')));
    expect(await next.exit).toBe(1);
    expect(next.stderr()).toMatch(/removed the staging schema fief_exporter_staging_[0-9a-f]{12}, left behind by an import that was interrupted/);
    expect(await stagingSchemas()).toEqual([]);
    // The schema with our prefix but not our marker is someone else's: still there.
    expect(await captureDbState(target.url)).toEqual(target.before);
  });
});
