/**
 * `migrate-in-place` on a real MariaDB: a legacy main database and a `<uuid>` workspace
 * database with a realistic subset of Fief's tables (our own DDL, in the MySQL flavour:
 * char(36) ids, inline ENUM columns, second-precision timestamps, InnoDB foreign keys).
 */
import { randomUUID } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isExporterError } from '../src/errors.js';
import { parseMysqlUrl } from '../src/selfhosted/mysql-client.js';
import { migrateMysql, renameStatement } from '../src/selfhosted/mysql.js';
import { cli, expectOneLineError } from './helpers/cli.js';

const SERVER = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
const suffix = randomUUID().slice(0, 8);
const MAIN = `mip_main_${suffix}`;
const MAIN2 = `mip_main2_${suffix}`;
const url = (db: string): string => `mysql://root@127.0.0.1:3306/${db}`;
const created: string[] = [];

const WS = randomUUID(); // migrated
const CLASH = randomUUID(); // same table names: refused once WS is in MAIN
const BYOD = randomUUID(); // database_type = 'MYSQL'
const KEEP = randomUUID(); // in MAIN2, holds a stored procedure that must survive

const ts = 'timestamp NOT NULL DEFAULT current_timestamp()';
const WORKSPACE_DDL = [
  'CREATE TABLE fief_alembic_version (version_num varchar(32) NOT NULL, PRIMARY KEY (version_num)) ENGINE=InnoDB',
  `CREATE TABLE fief_tenants (id char(36) NOT NULL, created_at ${ts}, updated_at ${ts}, name varchar(255) NOT NULL,
     slug varchar(255) NOT NULL, \`default\` tinyint(1) NOT NULL, sign_jwk text NOT NULL, registration_allowed tinyint(1) NOT NULL,
     PRIMARY KEY (id), UNIQUE KEY slug (slug), KEY ix_fief_tenants_created_at (created_at)) ENGINE=InnoDB`,
  `CREATE TABLE fief_users (id char(36) NOT NULL, created_at ${ts}, updated_at ${ts}, email varchar(320) NOT NULL,
     email_lower varchar(320) NOT NULL, email_verified tinyint(1) NOT NULL, is_active tinyint(1) NOT NULL,
     hashed_password varchar(255) NOT NULL, tenant_id char(36) NOT NULL, PRIMARY KEY (id),
     UNIQUE KEY email_lower (email_lower, tenant_id), KEY ix_fief_users_created_at (created_at),
     CONSTRAINT fief_users_ibfk_1 FOREIGN KEY (tenant_id) REFERENCES fief_tenants (id) ON DELETE CASCADE) ENGINE=InnoDB`,
  `CREATE TABLE fief_roles (id char(36) NOT NULL, created_at ${ts}, updated_at ${ts}, name varchar(255) NOT NULL,
     granted_by_default tinyint(1) NOT NULL, PRIMARY KEY (id)) ENGINE=InnoDB`,
  `CREATE TABLE fief_user_roles (id char(36) NOT NULL, created_at ${ts}, updated_at ${ts}, user_id char(36) NOT NULL,
     role_id char(36) NOT NULL, PRIMARY KEY (id), UNIQUE KEY user_id (user_id, role_id), KEY role_id (role_id),
     CONSTRAINT fief_user_roles_ibfk_1 FOREIGN KEY (user_id) REFERENCES fief_users (id) ON DELETE CASCADE,
     CONSTRAINT fief_user_roles_ibfk_2 FOREIGN KEY (role_id) REFERENCES fief_roles (id) ON DELETE CASCADE) ENGINE=InnoDB`,
  `CREATE TABLE fief_clients (id char(36) NOT NULL, created_at ${ts}, updated_at ${ts}, name varchar(255) NOT NULL,
     first_party tinyint(1) NOT NULL, client_type enum('public','confidential') NOT NULL DEFAULT 'confidential',
     client_id varchar(255) NOT NULL, client_secret varchar(255) NOT NULL, redirect_uris json NOT NULL,
     tenant_id char(36) NOT NULL, PRIMARY KEY (id), UNIQUE KEY client_id (client_id),
     CONSTRAINT fief_clients_ibfk_1 FOREIGN KEY (tenant_id) REFERENCES fief_tenants (id) ON DELETE CASCADE) ENGINE=InnoDB`,
  `CREATE TABLE fief_user_fields (id char(36) NOT NULL, created_at ${ts}, updated_at ${ts}, name varchar(320) NOT NULL,
     slug varchar(320) NOT NULL, type enum('STRING','INTEGER','BOOLEAN','DATE','DATETIME','CHOICE','PHONE_NUMBER','ADDRESS','TIMEZONE') NOT NULL,
     configuration json NOT NULL, PRIMARY KEY (id), UNIQUE KEY slug (slug)) ENGINE=InnoDB`,
  `CREATE TABLE fief_authorization_codes (id char(36) NOT NULL, created_at ${ts}, updated_at ${ts}, code varchar(255) NOT NULL,
     acr enum('0','1') NOT NULL, expires_at timestamp NOT NULL, user_id char(36) NOT NULL, client_id char(36) NOT NULL,
     PRIMARY KEY (id), UNIQUE KEY code (code),
     CONSTRAINT fief_authorization_codes_ibfk_1 FOREIGN KEY (client_id) REFERENCES fief_clients (id) ON DELETE CASCADE,
     CONSTRAINT fief_authorization_codes_ibfk_2 FOREIGN KEY (user_id) REFERENCES fief_users (id) ON DELETE CASCADE) ENGINE=InnoDB`,
];
const TABLES = ['fief_alembic_version', 'fief_authorization_codes', 'fief_clients', 'fief_roles', 'fief_tenants', 'fief_user_fields', 'fief_user_roles', 'fief_users'];

const MAIN_DDL = [
  `CREATE TABLE workspaces (id char(36) NOT NULL, created_at ${ts}, updated_at ${ts}, name varchar(255) NOT NULL,
     domain varchar(255) NOT NULL, database_type enum('POSTGRESQL','MYSQL','SQLITE') DEFAULT NULL,
     database_host text, database_port text, database_username text, database_password text, database_name text,
     database_ssl_mode text, alembic_revision varchar(255) DEFAULT NULL, users_count int(11) NOT NULL DEFAULT 0,
     database_use_schema tinyint(1) NOT NULL DEFAULT 0, database_table_prefix varchar(255) NOT NULL DEFAULT 'fief_',
     PRIMARY KEY (id)) ENGINE=InnoDB`,
  `CREATE TABLE workspace_users (id char(36) NOT NULL, created_at ${ts}, updated_at ${ts}, workspace_id char(36) NOT NULL,
     user_id char(36) NOT NULL, PRIMARY KEY (id),
     CONSTRAINT workspace_users_ibfk_1 FOREIGN KEY (workspace_id) REFERENCES workspaces (id) ON DELETE CASCADE) ENGINE=InnoDB`,
  'CREATE TABLE alembic_version (version_num varchar(32) NOT NULL, PRIMARY KEY (version_num)) ENGINE=InnoDB',
];

let admin: mysql.Connection;

const q = (name: string): string => `\`${name.replaceAll('`', '``')}\``;

async function rows<T extends RowDataPacket>(sql: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await admin.query<T[]>(sql, params);
  return r;
}

async function createWorkspaceDb(id: string, opts: { administrator?: boolean } = {}): Promise<void> {
  await admin.query(`CREATE DATABASE ${q(id)}`);
  created.push(id);
  // Unqualified, as Fief's migrations ran them: foreign keys then reference this same database.
  await admin.query(`USE ${q(id)}`);
  for (const ddl of WORKSPACE_DDL) await admin.query(ddl);
  const at = (t: string): string => `${q(id)}.${q(t)}`;
  const tenant = randomUUID();
  const role = randomUUID();
  const client = randomUUID();
  await admin.query(`INSERT INTO ${at('fief_alembic_version')} VALUES ('6c06c7d908a7')`);
  await admin.query(`INSERT INTO ${at('fief_tenants')} (id, name, slug, \`default\`, sign_jwk, registration_allowed) VALUES (?, 'Default', 'default', 1, '{"kty":"RSA"}', 1)`, [tenant]);
  await admin.query(`INSERT INTO ${at('fief_roles')} (id, name, granted_by_default) VALUES (?, ?, 0)`, [role, opts.administrator ? 'Administrator' : 'Editor']);
  await admin.query(
    `INSERT INTO ${at('fief_clients')} (id, name, first_party, client_id, client_secret, redirect_uris, tenant_id) VALUES (?, 'App', 1, ?, 's', '["https://x/cb"]', ?)`,
    [client, `cid-${id}`, tenant],
  );
  await admin.query(`INSERT INTO ${at('fief_user_fields')} (id, name, slug, type, configuration) VALUES (?, 'Phone', 'phone', 'PHONE_NUMBER', '{}')`, [randomUUID()]);
  for (let i = 0; i < 5; i++) {
    const user = randomUUID();
    await admin.query(
      `INSERT INTO ${at('fief_users')} (id, email, email_lower, email_verified, is_active, hashed_password, tenant_id) VALUES (?, ?, ?, 1, 1, 'h', ?)`,
      [user, `U${i}@example.com`, `u${i}@example.com`, tenant],
    );
    await admin.query(`INSERT INTO ${at('fief_user_roles')} (id, user_id, role_id) VALUES (?, ?, ?)`, [randomUUID(), user, role]);
    await admin.query(
      `INSERT INTO ${at('fief_authorization_codes')} (id, code, acr, expires_at, user_id, client_id) VALUES (?, ?, '1', '2030-01-01 00:00:00', ?, ?)`,
      [randomUUID(), `code-${i}`, user, client],
    );
  }
}

async function createMainDb(name: string, workspaces: { id: string; name: string; type?: string }[]): Promise<void> {
  await admin.query(`CREATE DATABASE ${q(name)}`);
  created.push(name);
  await admin.query(`USE ${q(name)}`);
  for (const ddl of MAIN_DDL) await admin.query(ddl);
  await admin.query(`INSERT INTO ${q(name)}.alembic_version VALUES ('c8cf076d3ffa')`);
  for (const w of workspaces) {
    await admin.query(`INSERT INTO ${q(name)}.workspaces (id, name, domain, database_type, alembic_revision) VALUES (?, ?, ?, ?, '6c06c7d908a7')`, [
      w.id, w.name, `${w.name.toLowerCase()}.example.com`, w.type ?? null,
    ]);
  }
}

/** Table name → rows as JSON, in a stable order: "rows intact" means this is unchanged. */
async function content(db: string, tables: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tables) out[t] = JSON.stringify(await rows(`SELECT * FROM ${q(db)}.${q(t)} ORDER BY 1`));
  return out;
}

async function tablesOf(db: string): Promise<string[]> {
  return (await rows<RowDataPacket & { n: string }>('SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [db])).map((r) => r.n).sort();
}

async function databaseExists(db: string): Promise<boolean> {
  return (await rows('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db])).length > 0;
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!isExporterError(err)) throw new Error(`expected an ExporterError, got ${String(err)}`);
  return { code: err.code, message: err.message };
}

beforeAll(async () => {
  admin = await mysql.createConnection({ ...SERVER, dateStrings: true });
  await createWorkspaceDb(WS, { administrator: true });
  await createWorkspaceDb(CLASH);
  await createWorkspaceDb(KEEP);
  await admin.query(`CREATE PROCEDURE ${q(KEEP)}.keepme() SELECT 1`);
  await createMainDb(MAIN, [{ id: WS, name: 'Alpha' }, { id: CLASH, name: 'Beta' }, { id: BYOD, name: 'Gamma', type: 'MYSQL' }]);
  await createMainDb(MAIN2, [{ id: KEEP, name: 'Delta' }]);
});

afterAll(async () => {
  for (const db of created) await admin.query(`DROP DATABASE IF EXISTS ${q(db)}`);
  await admin.end();
});

describe('migrate-in-place on MySQL/MariaDB', () => {
  it('refuses a bring-your-own-database workspace, saying BYOD is out of scope', async () => {
    const r = await cli(['migrate-in-place', '--mysql-url', url(MAIN), '--workspace', BYOD]);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/own MYSQL database \(bring your own database\).*BYOD workspace is out of its scope/);
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
    expect(r.stdout).toContain(`DROP DATABASE \`${WS}\`;`);
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
      created.push(db);
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
