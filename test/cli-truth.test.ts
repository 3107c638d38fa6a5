/**
 * What the CLI says is what happened: rows loaded by INSERT statements are counted, the
 * target named is the one tried (libpq variables included), a malformed URL is a usage error
 * in every command, and Ctrl-C before any output exists ends with 130 and a sentence.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../src/crypto/fernet.js';
import { cli, expectOneLineError } from './helpers/cli.js';
import { query, useTestDatabase } from './helpers/db.js';
import { tempDir } from './helpers/dump.js';
import { useLegacyInstance } from './helpers/legacy-instance.js';
import { pgDump } from './helpers/pg-tools.js';

const KEY = generateKey();
const dir = tempDir();
const legacy = useLegacyInstance('fe_truth', { encryptionKey: KEY, accounts: 1, workspaces: [{ name: 'Truth', variant: 'v0.27', users: 2, auditLogs: 2, members: [0] }] });

/** Runs the CLI as a process, sends SIGINT once `ready` resolves, and returns its exit code and stderr. */
async function interrupted(args: string[], ready: () => Promise<void>, signal: NodeJS.Signals = 'SIGINT'): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...process.env, ENCRYPTION_KEY: KEY }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  await ready();
  child.kill(signal);
  return { code: await closed, stderr };
}

/** Resolves once a session on `database` is doing `what` (a wait on a lock, or a query). */
async function sessionSeen(url: string, database: string, condition: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const rows = await query(url, `SELECT 1 FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid() AND ${condition}`, [database]);
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no session matching ${condition}`);
}

describe('messages tell the truth', () => {
  it('counts the rows and tables of a pg_dump --inserts file', async () => {
    const source = await useTestDatabase('fe_truth_src');
    await query(source.url, `CREATE TABLE a (id int); CREATE TABLE b (id int);
      INSERT INTO a SELECT generate_series(1, 250); INSERT INTO b SELECT generate_series(1, 7)`);
    const file = join(dir, 'inserts.sql');
    await pgDump(source.url, file, '--inserts', '--no-owner');
    const target = await useTestDatabase('fe_truth_dst');
    const r = await cli(['import', file, '--database-url', target.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Imported 2 tables, 257 rows \(\d+ statements\)/);
  });

  it('names the host and port really tried, from the libpq variables', async () => {
    const file = join(dir, 'one.sql');
    await writeFile(file, 'SELECT 1;\n');
    const r = await cli(['import', file], { PGHOST: '127.0.0.1', PGPORT: '3998', PGDATABASE: 'nowhere' });
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/cannot reach PostgreSQL at 127\.0\.0\.1:3998\/nowhere/);
  });

  it('a malformed URL is a usage error (exit 2) in every command', async () => {
    const bad = 'postgres://user@host:port/db';
    const ws = '5f4e3d2c-0000-4000-8000-000000000000';
    for (const args of [['workspaces', '--database-url', bad], ['export', '--workspace', ws, '--database-url', bad], ['import', '-', '--database-url', bad]]) {
      const r = await cli(args, { ENCRYPTION_KEY: KEY });
      expect(r.code, `${args[0]}: ${r.stderr}`).toBe(2);
      expect(expectOneLineError(r)).toMatch(/database URL|--database-url/);
    }
  });

  it('Ctrl-C during the export pre-flight exits 130 with a sentence', async () => {
    const main = legacy.instance.databaseUrl;
    const name = new URL(main).pathname.slice(1);
    const locker = new pg.Client({ connectionString: main });
    await locker.connect();
    try {
      await locker.query('BEGIN; LOCK TABLE workspaces IN ACCESS EXCLUSIVE MODE');
      const r = await interrupted(['export', '--database-url', main, '--workspace', legacy.instance.workspaces[0]?.id ?? '', '-o', join(dir, 'never.sql')], () =>
        sessionSeen(main, name, `wait_event_type = 'Lock'`),
      );
      expect(r.code, r.stderr).toBe(130);
      expect(r.stderr).toMatch(/^fief-exporter: export interrupted \(SIGINT\) before the dump started; nothing was written\n$/);
    } finally {
      await locker.end();
    }
  }, 60_000);

  // The shell's code for the signal that stopped it: 130 for Ctrl-C, 143 for a SIGTERM.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
    it(`${signal} during an import exits ${code} and says the target is unchanged`, async () => {
      const target = await useTestDatabase(`fe_truth_int_${code}`);
      const file = join(dir, `slow-${code}.sql`);
      await writeFile(file, 'CREATE TABLE slow (a int);\nSELECT pg_sleep(60);\n');
      const r = await interrupted(['import', file, '--database-url', target.url], () => sessionSeen(target.url, target.name, `query LIKE '%pg_sleep(60)%'`), signal);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(new RegExp(`^fief-exporter: import interrupted \\(${signal}\\); the target database is unchanged\n$`));
      expect(await query(target.url, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'slow'")).toEqual([{ n: 0 }]);
    }, 60_000);
  }
});

describe('secrets off the command line', () => {
  it('export reads the key from --encryption-key-file; a missing or doubled key is a usage error', async () => {
    const keyFile = join(dir, 'key.txt');
    await writeFile(keyFile, `${KEY}\n`, { mode: 0o600 });
    const base = ['export', '--database-url', legacy.instance.databaseUrl, '--workspace', legacy.instance.workspaces[0]?.id ?? ''];
    const r = await cli([...base, '--encryption-key-file', keyFile, '-o', join(dir, 'keyed.sql')], { ENCRYPTION_KEY: '' });
    expect(r.code, r.stderr).toBe(0);
    const missing = await cli([...base, '--encryption-key-file', join(dir, 'nope.txt'), '-o', join(dir, 'x.sql')]);
    expect(missing.code).toBe(2);
    expect(expectOneLineError(missing)).toMatch(/cannot read --encryption-key-file .*nope\.txt \(ENOENT\)/);
    const both = await cli([...base, '--encryption-key-file', keyFile, '--encryption-key', KEY, '-o', join(dir, 'y.sql')]);
    expect(both.code).toBe(2);
    const listed = await cli(['workspaces', '--database-url', legacy.instance.databaseUrl, '--encryption-key-file', keyFile]);
    expect(listed.code, listed.stderr).toBe(0);
  });
});
