/**
 * `migrate-in-place --dry-run` prints a script people are told they may run themselves. Run
 * with the client it is meant for (psql, the mysql client, sh -e) on a copy of an instance
 * whose names are hostile, it must do exactly what the real run does on another copy, and
 * nothing else: no shell command from a name, no SQL from a name.
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../src/crypto/fernet.js';
import { seedLegacyInstance } from '../src/dev/seed/index.js';
import { cli } from './helpers/cli.js';
import { captureDbState } from './helpers/db-state.js';
import { adminUrl, query, useTestDatabase } from './helpers/db.js';
import { tempDir } from './helpers/dump.js';
import { HOSTILE_COLLATION_NAME, HOSTILE_ROUTINE_NAME, HOSTILE_TABLE_NAME, HOSTILE_WORKSPACE_NAME } from './helpers/hostile-names.js';
import { createMainDb, createWorkspaceDb, dropCreatedDatabases, MYSQL_SERVER, mysqlState, mysqlUrl, q } from './helpers/mysql-legacy.js';
import { writeLegacyMain, writeWorkspaceFile } from './helpers/sqlite-legacy.js';

const root = tempDir('fief-exporter-dry-run-');
const pgDatabases = [await useTestDatabase('fe_dry'), await useTestDatabase('fe_dry')] as const;
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Runs `cmd` from a fresh empty directory and returns what it left there (nothing, if safe). */
function runFromEmptyDir(cmd: string, args: string[], input?: string): { code: number | null; stderr: string; leftInCwd: string[] } {
  const cwd = join(root, `cwd-${randomUUID()}`);
  mkdirSync(cwd);
  const r = spawnSync(cmd, args, { cwd, input, encoding: 'utf8', env: { ...process.env, PSQLRC: '/dev/null', PGOPTIONS: '' } });
  return { code: r.status, stderr: r.stderr, leftInCwd: readdirSync(cwd) };
}

/** Output meant for a terminal or a reviewer: no control or bidirectional formatting character but line breaks. */
function expectPrintable(text: string): void {
  // eslint-disable-next-line no-control-regex
  expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/);
}

function scriptFile(text: string, ext: string): string {
  const path = join(root, `dry-run-${randomUUID()}.${ext}`);
  writeFileSync(path, text);
  return path;
}

describe('the PostgreSQL dry run, run with psql', () => {
  it('ends in the state the real run reaches, and runs nothing a name holds', async () => {
    const [original, copy] = pgDatabases;
    const seeded = await seedLegacyInstance({
      databaseUrl: original.url,
      encryptionKey: generateKey(),
      workspaces: [{ users: 3, auditLogs: 3, name: HOSTILE_WORKSPACE_NAME }],
    });
    const id = seeded.workspaces[0]?.id ?? '';
    const schema = pg.escapeIdentifier(id);
    await query(original.url, `CREATE TABLE ${schema}.${pg.escapeIdentifier(HOSTILE_TABLE_NAME)} (x int); INSERT INTO ${schema}.${pg.escapeIdentifier(HOSTILE_TABLE_NAME)} VALUES (1)`);
    // A collation stays behind in the schema, so the dry run names it in a comment.
    await query(original.url, `CREATE COLLATION ${schema}.${pg.escapeIdentifier(HOSTILE_COLLATION_NAME)} FROM "C"`);
    await query(adminUrl(), `DROP DATABASE ${pg.escapeIdentifier(copy.name)}`);
    await query(adminUrl(), `CREATE DATABASE ${pg.escapeIdentifier(copy.name)} TEMPLATE ${pg.escapeIdentifier(original.name)}`);

    const dry = await cli(['migrate-in-place', '--database-url', original.url, '--workspace', id, '--dry-run']);
    expect(dry.code).toBe(0);
    expectPrintable(dry.stdout);
    const psql = runFromEmptyDir('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-d', original.url, '-f', scriptFile(dry.stdout, 'sql')]);
    expect(psql.stderr).toBe('');
    expect(psql.code).toBe(0);
    expect(psql.leftInCwd).toEqual([]);

    const real = await cli(['migrate-in-place', '--database-url', copy.url, '--workspace', id]);
    expect(real.code).toBe(0);
    expectPrintable(real.stdout);
    const after = await captureDbState(original.url);
    expect(after).toEqual(await captureDbState(copy.url));
    expect(JSON.stringify(after.relations)).toContain('public.fief_users');
  });
});

describe('the MySQL dry run, run with the mysql client', () => {
  let admin: mysql.Connection;
  const MAIN = `mip_dry_${randomUUID().slice(0, 8)}`;
  const WS = randomUUID();
  beforeAll(async () => {
    admin = await mysql.createConnection({ ...MYSQL_SERVER, dateStrings: true });
  });
  afterAll(async () => {
    await dropCreatedDatabases(admin);
    await admin.end();
  });

  async function buildInstance(): Promise<void> {
    await createWorkspaceDb(admin, WS);
    await admin.query(`CREATE TABLE ${q(WS)}.${q(HOSTILE_TABLE_NAME)} (x int) ENGINE=InnoDB`);
    await admin.query(`INSERT INTO ${q(WS)}.${q(HOSTILE_TABLE_NAME)} VALUES (1)`);
    // A procedure stays behind in the workspace database, so the dry run names it in a comment.
    await admin.query(`CREATE PROCEDURE ${q(WS)}.${q(HOSTILE_ROUTINE_NAME)}() SELECT 1`);
    await createMainDb(admin, MAIN, [{ id: WS, name: HOSTILE_WORKSPACE_NAME }]);
  }

  it('ends in the state the real run reaches, and runs nothing a name holds', async () => {
    await buildInstance();
    const dry = await cli(['migrate-in-place', '--mysql-url', mysqlUrl(MAIN), '--workspace', WS, '--dry-run']);
    expect(dry.code).toBe(0);
    expectPrintable(dry.stdout);
    const client = runFromEmptyDir('mysql', ['-h', '127.0.0.1', '-P', '3306', '-u', 'root', MAIN], dry.stdout);
    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    expect(client.leftInCwd).toEqual([]);
    const afterDryRun = await mysqlState(admin, [MAIN, WS]);

    await dropCreatedDatabases(admin);
    await buildInstance();
    const real = await cli(['migrate-in-place', '--mysql-url', mysqlUrl(MAIN), '--workspace', WS]);
    expect(real.code).toBe(0);
    expectPrintable(real.stdout);
    expect(afterDryRun).toEqual(await mysqlState(admin, [MAIN, WS]));
    expect(JSON.stringify(afterDryRun[MAIN])).toContain('fief_users');
  });
});

describe('the SQLite dry run, run with sh -e', () => {
  const id = randomUUID();

  /** A DATABASE_LOCATION whose own path is hostile too: the script names it. */
  async function location(): Promise<string> {
    const dir = join(root, `loc-${randomUUID()}`, `db'$(touch pwn-dir)\`touch pwn-dir2\`\n\\! x`);
    mkdirSync(dir, { recursive: true });
    await writeLegacyMain(join(dir, 'fief.db'), [{ id, name: HOSTILE_WORKSPACE_NAME }]);
    await writeWorkspaceFile(join(dir, id), 'the workspace');
    return dir;
  }

  /** Each file's name (the backup's time stamp masked) and content digest. */
  function listing(dir: string): string[] {
    return readdirSync(dir)
      .map((n) => `${n.replace(/\.bak-\d{8}T\d{6}Z$/, '.bak-<time>')} ${createHash('sha256').update(readFileSync(join(dir, n))).digest('hex')}`)
      .sort();
  }

  it('ends in the state the real run reaches, and runs nothing a name holds', async () => {
    const [dryDir, realDir] = [await location(), await location()];
    const dry = await cli(['migrate-in-place', '--sqlite-dir', dryDir, '--workspace', id, '--dry-run']);
    expect(dry.code).toBe(0);
    expectPrintable(dry.stdout);
    const sh = runFromEmptyDir('sh', ['-e', scriptFile(dry.stdout, 'sh')]);
    expect(sh.stderr).toBe('');
    expect(sh.code).toBe(0);
    expect(sh.leftInCwd).toEqual([]);

    const real = await cli(['migrate-in-place', '--sqlite-dir', realDir, '--workspace', id]);
    expect(real.code).toBe(0);
    expectPrintable(real.stdout);
    expect(listing(dryDir)).toEqual(listing(realDir));
    expect(listing(dryDir).some((l) => l.startsWith('fief.db.bak-<time> '))).toBe(true);
  });
});
