/**
 * `migrate-in-place` on a real MariaDB: a legacy main database and `<uuid>` workspace
 * databases built by test/helpers/mysql-legacy.ts.
 */
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExporterError } from '../src/errors.js';
import { parseMysqlUrl } from '../src/selfhosted/mysql-client.js';
import { migrateMysql, renameStatement } from '../src/selfhosted/mysql.js';
import { cli, expectOneLineError } from './helpers/cli.js';
import { HOSTILE_ROUTINE_NAME } from './helpers/hostile-names.js';
import {
  content as contentOf, createdDatabases, createMainDb, createWorkspaceDb, databaseExists as databaseIn, dropCreatedDatabases,
  MYSQL_SERVER, mysqlUrl, q, runMysqlClient, tablesOf as tablesIn, WORKSPACE_TABLES,
} from './helpers/mysql-legacy.js';

const suffix = randomUUID().slice(0, 8);
const MAIN = `mip_main_${suffix}`;
const MAIN2 = `mip_main2_${suffix}`;
const url = mysqlUrl;

const WS = randomUUID(); // migrated
const CLASH = randomUUID(); // same table names: refused once WS is in MAIN
const BYOD = randomUUID(); // database_type = 'MYSQL'
const KEEP = randomUUID(); // in MAIN2, holds a stored procedure that must survive
const TABLES = WORKSPACE_TABLES;

let admin: mysql.Connection;

async function rows<T extends RowDataPacket>(sql: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await admin.query<T[]>(sql, params);
  return r;
}
const content = (db: string, tables: string[]): Promise<Record<string, string>> => contentOf(admin, db, tables);
const tablesOf = (db: string): Promise<string[]> => tablesIn(admin, db);
const databaseExists = (db: string): Promise<boolean> => databaseIn(admin, db);

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!isExporterError(err)) throw new Error(`expected an ExporterError, got ${String(err)}`);
  return { code: err.code, message: err.message };
}

beforeAll(async () => {
  admin = await mysql.createConnection({ ...MYSQL_SERVER, dateStrings: true });
  await createWorkspaceDb(admin, WS, { administrator: true });
  await createWorkspaceDb(admin, CLASH);
  await createWorkspaceDb(admin, KEEP);
  await admin.query(`CREATE PROCEDURE ${q(KEEP)}.keepme() SELECT 1`);
  await createMainDb(admin, MAIN, [{ id: WS, name: 'Alpha' }, { id: CLASH, name: 'Beta' }, { id: BYOD, name: 'Gamma', type: 'MYSQL' }]);
  await createMainDb(admin, MAIN2, [{ id: KEEP, name: 'Delta' }]);
});

afterAll(async () => {
  await dropCreatedDatabases(admin);
  await admin.end();
});

describe('migrate-in-place on MySQL/MariaDB', () => {
  it('refuses a bring-your-own-database workspace, saying BYOD is out of scope', async () => {
    const r = await cli(['migrate-in-place', '--mysql-url', url(MAIN), '--workspace', BYOD]);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/own MYSQL database \(bring your own database\).*BYOD workspace is out of its scope/);
  });

  it('refuses a workspace database holding a view in one printable sentence, whatever the view is named', async () => {
    const [main, ws] = [`mip_view_${suffix}`, randomUUID()];
    await createWorkspaceDb(admin, ws);
    await admin.query(`CREATE VIEW ${q(ws)}.${q(HOSTILE_ROUTINE_NAME)} AS SELECT 1 AS one`);
    await createMainDb(admin, main, [{ id: ws, name: 'View' }]);
    const r = await cli(['migrate-in-place', '--mysql-url', url(main), '--workspace', ws]);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/holds objects a Fief workspace never has \(view p`\\n\\! touch pwn-p\\nsystem touch pwn-q\\nx\); move or drop them first$/);
    expect(await tablesOf(ws)).toContain('fief_users');
  });

  it("a dry run's script never drops a table that appeared in the workspace database after the dry run", async () => {
    const [main, ws] = [`mip_late_${suffix}`, randomUUID()];
    await createWorkspaceDb(admin, ws);
    await createMainDb(admin, main, [{ id: ws, name: 'Late' }]);
    const dry = await cli(['migrate-in-place', '--mysql-url', url(main), '--workspace', ws, '--dry-run']);
    expect(dry.code).toBe(0);
    await admin.query(`CREATE TABLE ${q(ws)}.late (x int) ENGINE=InnoDB`);
    await admin.query(`INSERT INTO ${q(ws)}.late VALUES (42)`);
    const client = runMysqlClient(main, dry.stdout);
    expect(client.stderr).toBe('');
    expect(client.code).toBe(0);
    expect(await rows(`SELECT x FROM ${q(ws)}.late`)).toEqual([{ x: 42 }]);
    expect((await tablesOf(main)).filter((t) => t.startsWith('fief_'))).toEqual(TABLES);
  });

  it('never shows the password, and names the server instead', async () => {
    const r = await cli(['migrate-in-place', '--mysql-url', `mysql://root:s3cr%40t@127.0.0.1:3306/${MAIN}`, '--workspace', WS]);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toBe(`fief-exporter: MySQL at 127.0.0.1:3306/${MAIN} refused the credentials`);
    expect(r.stderr).not.toMatch(/s3cr/);
  });

  it('--dry-run prints one backtick-quoted multi-table RENAME and changes nothing; --strict refuses on warnings', async () => {
    const before = { ws: await content(WS, TABLES), main: await tablesOf(MAIN) };
    const r = await cli(['migrate-in-place', '--mysql-url', url(MAIN), '--workspace', WS, '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^warning: the workspace already has a role named "Administrator"/m);
    expect(r.stdout.match(/RENAME TABLE/g)).toHaveLength(1);
    for (const t of TABLES) expect(r.stdout).toContain(`\`${WS}\`.\`${t}\` TO \`${MAIN}\`.\`${t}\``);
    expect(r.stdout).toContain(`'DROP DATABASE \`${WS}\`', 'DO 0');\nPREPARE fief_exporter_drop FROM @fief_exporter_drop;\nEXECUTE fief_exporter_drop;`);
    const strict = await cli(['migrate-in-place', '--mysql-url', url(MAIN), '--workspace', WS, '--strict']);
    expect(strict.code).toBe(1);
    expect(expectOneLineError(strict)).toMatch(/pre-flight checks failed \(--strict\), nothing was moved/);
    expect({ ws: await content(WS, TABLES), main: await tablesOf(MAIN) }).toEqual(before);
  });

  it('moves every table atomically into the main database; rows intact, foreign keys re-pointed, workspace database dropped', async () => {
    const before = await content(WS, TABLES);
    const report = await migrateMysql({ target: parseMysqlUrl(url(MAIN)), workspaceId: WS });
    expect([...report.movedTables].sort()).toEqual(TABLES);
    expect(report.containerDropped).toBe(true);
    expect(report.otherWorkspaces).toEqual([`Beta (${CLASH})`]);
    expect(await databaseExists(WS)).toBe(false);
    expect(await tablesOf(MAIN)).toEqual([...TABLES, 'alembic_version', 'workspace_users', 'workspaces'].sort());
    expect(await content(MAIN, TABLES)).toEqual(before);

    // Every foreign key of the moved tables now references the main database.
    const fks = await rows<RowDataPacket & { s: string }>(
      `SELECT DISTINCT REFERENCED_TABLE_SCHEMA AS s FROM information_schema.KEY_COLUMN_USAGE
        WHERE TABLE_SCHEMA = ? AND TABLE_NAME LIKE 'fief\\_%' AND REFERENCED_TABLE_NAME IS NOT NULL`,
      [MAIN],
    );
    expect(fks.map((r) => r.s)).toEqual([MAIN]);
    const violating = admin.query(
      `INSERT INTO ${q(MAIN)}.fief_users (id, email, email_lower, email_verified, is_active, hashed_password, tenant_id) VALUES (?, 'x@x', 'x@x', 1, 1, 'h', ?)`,
      [randomUUID(), randomUUID()],
    );
    await expect(violating).rejects.toMatchObject({ code: 'ER_NO_REFERENCED_ROW_2' });
    // ON DELETE CASCADE still follows the tenant to its users, their roles and codes.
    await admin.query(`DELETE FROM ${q(MAIN)}.fief_tenants`);
    for (const t of ['fief_users', 'fief_user_roles', 'fief_authorization_codes', 'fief_clients']) {
      expect(await rows(`SELECT 1 FROM ${q(MAIN)}.${q(t)}`)).toEqual([]);
    }
    // Enums stay inline column types.
    const types = await rows<RowDataPacket & { t: string }>(
      "SELECT COLUMN_TYPE AS t FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'fief_clients' AND COLUMN_NAME = 'client_type'",
      [MAIN],
    );
    expect(types[0]?.t).toBe("enum('public','confidential')");
  });

  it('refuses a second workspace into the same main database, moving nothing', async () => {
    const before = { ws: await content(CLASH, TABLES), main: await tablesOf(MAIN) };
    const err = await rejection(migrateMysql({ target: parseMysqlUrl(url(MAIN)), workspaceId: CLASH }));
    expect(err.code).toBe('MIGRATE_TARGET_NOT_EMPTY');
    expect(err.message).toMatch(/already has fief_alembic_version, .*nothing was moved$/);
    expect({ ws: await content(CLASH, TABLES), main: await tablesOf(MAIN) }).toEqual(before);
    const again = await rejection(migrateMysql({ target: parseMysqlUrl(url(MAIN)), workspaceId: WS }));
    expect(again.message).toMatch(/does not exist on 127\.0\.0\.1:3306 \(was it migrated already\?\)/);
  });

  it('relies on one multi-table RENAME being all-or-nothing: a clash on its last table moves none', async () => {
    const [from, to] = [`mip_atom_a_${suffix}`, `mip_atom_b_${suffix}`];
    for (const db of [from, to]) {
      await admin.query(`CREATE DATABASE ${q(db)}`);
      createdDatabases.push(db);
    }
    for (const t of ['t1', 't2', 't3']) await admin.query(`CREATE TABLE ${q(from)}.${q(t)} (id char(36) PRIMARY KEY) ENGINE=InnoDB`);
    await admin.query(`CREATE TABLE ${q(to)}.t3 (id int) ENGINE=InnoDB`);
    await expect(admin.query(renameStatement(from, to, ['t1', 't2', 't3']))).rejects.toMatchObject({ code: 'ER_TABLE_EXISTS_ERROR' });
    expect(await tablesOf(from)).toEqual(['t1', 't2', 't3']);
    expect(await tablesOf(to)).toEqual(['t3']);
  });

  it('keeps a workspace database that still holds something after the move, and says so', async () => {
    const r = await cli(['migrate-in-place', '--mysql-url', url(MAIN2), '--workspace', KEEP]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Kept database ${KEEP}: it still holds procedure keepme`);
    expect(await tablesOf(KEEP)).toEqual([]);
    expect(await databaseExists(KEEP)).toBe(true);
    expect((await tablesOf(MAIN2)).filter((t) => t.startsWith('fief_'))).toEqual(TABLES);
  });
});
