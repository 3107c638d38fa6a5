/**
 * `fief-exporter import` as a process: stdin input (plain and gzip), the libpq variables,
 * exit codes (0 ok, 1 failure, 2 usage) and what it prints.
 */
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { query, useTestDatabase } from './helpers/db.js';
import { run as runProcess, type ProcessResult } from './helpers/dump.js';
import { DUMP_KEY, fiefDump } from './helpers/fief-dump.js';

type Result = ProcessResult;

function cli(args: string[], input: Buffer | string | null, env: NodeJS.ProcessEnv = process.env): Promise<Result> {
  return runProcess(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'import', ...args], input, { env });
}

describe('fief-exporter import (process)', () => {
  it('reads a dump in our format from stdin (-), prints the summary and next steps, never the key', async () => {
    const db = await useTestDatabase();
    const r = await cli(['-', '--database-url', db.url], fiefDump());
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Imported 2 tables, 5 rows \(\d+ statements\) into 127\.0\.0\.1:\d+\/\w+ in \d+\.\d s\./);
    expect(r.stdout).toContain('line 1 of the file');
    expect(r.stdout).toContain('Fief >= 0.28');
    expect(r.stdout).toContain('fief grant-admin-role <email>');
    expect(r.stdout).toMatch(/Recreate the admin API keys/);
    expect(r.stdout + r.stderr).not.toContain(DUMP_KEY);
    expect(await query(db.url, 'SELECT count(*)::int AS n FROM fief_users')).toEqual([{ n: 3 }]);
  });

  it('reads gzip from stdin, and stdin when FILE is omitted', async () => {
    const db = await useTestDatabase();
    const r = await cli(['-', '--database-url', db.url], gzipSync('CREATE TABLE g (a int);\nCOPY g FROM stdin;\n1\n2\n\\.\n'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Imported 1 table, 2 rows/);
    expect(r.stdout).not.toContain('Next steps');
    const again = await cli(['--database-url', db.url], 'CREATE TABLE h (a int);\n');
    expect(again.code, again.stderr).toBe(0);
    expect(await query(db.url, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename IN ('g', 'h')")).toEqual([{ n: 2 }]);
  });

  it('uses the libpq variables when no --database-url is given', async () => {
    const db = await useTestDatabase();
    const url = new URL(db.url);
    const env = { ...process.env, PGHOST: url.hostname, PGPORT: url.port || '5432', PGUSER: decodeURIComponent(url.username), PGDATABASE: db.name, PGPASSWORD: decodeURIComponent(url.password) };
    const r = await cli(['-'], 'CREATE TABLE via_env (a int);\n', env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`/${db.name} in`);
    expect(await query(db.url, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'via_env'")).toEqual([{ n: 1 }]);
  });

  it('exits 1 with one line on a failed import, and leaves the target unchanged', async () => {
    const db = await useTestDatabase();
    const r = await cli(['-', '--database-url', db.url], 'CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (x);\n');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^fief-exporter: line 3: INSERT INTO a VALUES \(x\); failed: column "x" does not exist \(hint: There is a column named "x" in table "a", but it cannot be referenced from this part of the query\.\); the target database is unchanged\n$/);
    expect(await query(db.url, "SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'a'")).toEqual([{ n: 0 }]);
  });

  it('exits 2 on usage errors', async () => {
    const bad = await cli(['-', '--database-url', 'mysql://x'], '');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--database-url must start with postgres:\/\//);
    const unknown = await cli(['x.sql', '--bogus'], '');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown option '--bogus'/);
  });

  it('exits 1 when the server cannot be reached', async () => {
    const r = await cli(['-', '--database-url', 'postgres://postgres@127.0.0.1:1/nope'], 'SELECT 1;');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^fief-exporter: cannot reach PostgreSQL at 127\.0\.0\.1:1\/nope/);
  });
});
