/**
 * A legacy (≤ 0.27) Fief instance on the real MariaDB: a main database holding `workspaces`
 * and one `<uuid>` database per hosted workspace, with a realistic subset of Fief's tables
 * (our own DDL, in the MySQL flavour: char(36) ids, inline ENUM columns, second-precision
 * timestamps, InnoDB foreign keys). Row ids derive from the workspace id, so building the same
 * instance twice gives the same rows: a dry run's effect and a real run's compare by value.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';

export const MYSQL_SERVER = { host: '127.0.0.1', port: 3306, user: 'root', password: '' };
export const mysqlUrl = (db: string): string => `mysql://root@127.0.0.1:3306/${encodeURIComponent(db)}`;
export const q = (name: string): string => `\`${name.replaceAll('`', '``')}\``;

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
export const WORKSPACE_TABLES = [
  'fief_alembic_version', 'fief_authorization_codes', 'fief_clients', 'fief_roles', 'fief_tenants', 'fief_user_fields', 'fief_user_roles', 'fief_users',
];

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

/** UUID-shaped ids that depend only on (seed, n): the same instance built twice has the same rows. */
function idsFrom(seed: string): () => string {
  let n = 0;
  return () => {
    const h = createHash('sha256').update(`${seed}/${n++}`).digest('hex');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
}

/** Every database created through these helpers, so a test file can drop them all. */
export const createdDatabases: string[] = [];

export async function createWorkspaceDb(admin: mysql.Connection, id: string, opts: { administrator?: boolean } = {}): Promise<void> {
  await admin.query(`CREATE DATABASE ${q(id)}`);
  createdDatabases.push(id);
  // Unqualified, as Fief's migrations ran them: foreign keys then reference this same database.
  await admin.query(`USE ${q(id)}`);
  for (const ddl of WORKSPACE_DDL) await admin.query(ddl);
  const nextId = idsFrom(id);
  const at = (t: string): string => `${q(id)}.${q(t)}`;
  const [tenant, role, client] = [nextId(), nextId(), nextId()];
  await admin.query(`INSERT INTO ${at('fief_alembic_version')} VALUES ('6c06c7d908a7')`);
  await admin.query(`INSERT INTO ${at('fief_tenants')} (id, created_at, updated_at, name, slug, \`default\`, sign_jwk, registration_allowed) VALUES (?, '2024-01-01', '2024-01-01', 'Default', 'default', 1, '{"kty":"RSA"}', 1)`, [tenant]);
  await admin.query(`INSERT INTO ${at('fief_roles')} (id, created_at, updated_at, name, granted_by_default) VALUES (?, '2024-01-01', '2024-01-01', ?, 0)`, [role, opts.administrator ? 'Administrator' : 'Editor']);
  await admin.query(
    `INSERT INTO ${at('fief_clients')} (id, created_at, updated_at, name, first_party, client_id, client_secret, redirect_uris, tenant_id) VALUES (?, '2024-01-01', '2024-01-01', 'App', 1, ?, 's', '["https://x/cb"]', ?)`,
    [client, `cid-${id}`, tenant],
  );
  await admin.query(`INSERT INTO ${at('fief_user_fields')} (id, created_at, updated_at, name, slug, type, configuration) VALUES (?, '2024-01-01', '2024-01-01', 'Phone', 'phone', 'PHONE_NUMBER', '{}')`, [nextId()]);
  for (let i = 0; i < 5; i++) {
    const user = nextId();
    await admin.query(
      `INSERT INTO ${at('fief_users')} (id, created_at, updated_at, email, email_lower, email_verified, is_active, hashed_password, tenant_id) VALUES (?, '2024-01-01', '2024-01-01', ?, ?, 1, 1, 'h', ?)`,
      [user, `U${i}@example.com`, `u${i}@example.com`, tenant],
    );
    await admin.query(`INSERT INTO ${at('fief_user_roles')} (id, created_at, updated_at, user_id, role_id) VALUES (?, '2024-01-01', '2024-01-01', ?, ?)`, [nextId(), user, role]);
    await admin.query(
      `INSERT INTO ${at('fief_authorization_codes')} (id, created_at, updated_at, code, acr, expires_at, user_id, client_id) VALUES (?, '2024-01-01', '2024-01-01', ?, '1', '2030-01-01 00:00:00', ?, ?)`,
      [nextId(), `code-${i}`, user, client],
    );
  }
}

export async function createMainDb(admin: mysql.Connection, name: string, workspaces: { id: string; name: string; type?: string }[]): Promise<void> {
  await admin.query(`CREATE DATABASE ${q(name)}`);
  createdDatabases.push(name);
  await admin.query(`USE ${q(name)}`);
  for (const ddl of MAIN_DDL) await admin.query(ddl);
  await admin.query(`INSERT INTO ${q(name)}.alembic_version VALUES ('c8cf076d3ffa')`);
  for (const w of workspaces) {
    await admin.query(
      `INSERT INTO ${q(name)}.workspaces (id, created_at, updated_at, name, domain, database_type, alembic_revision) VALUES (?, '2024-01-01', '2024-01-01', ?, ?, ?, '6c06c7d908a7')`,
      [w.id, w.name, `${w.id}.example.com`, w.type ?? null],
    );
  }
}

export async function dropCreatedDatabases(admin: mysql.Connection): Promise<void> {
  for (const db of createdDatabases.splice(0)) await admin.query(`DROP DATABASE IF EXISTS ${q(db)}`);
}

async function rows<T extends RowDataPacket>(admin: mysql.Connection, sql: string, params: unknown[] = []): Promise<T[]> {
  const [r] = await admin.query<T[]>(sql, params);
  return r;
}

/** Table name → rows as JSON, in a stable order: "rows intact" means this is unchanged. */
export async function content(admin: mysql.Connection, db: string, tables: string[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const t of tables) out[t] = JSON.stringify(await rows(admin, `SELECT * FROM ${q(db)}.${q(t)} ORDER BY 1`));
  return out;
}

export async function tablesOf(admin: mysql.Connection, db: string): Promise<string[]> {
  const r = await rows<RowDataPacket & { n: string }>(admin, 'SELECT TABLE_NAME AS n FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY 1', [db]);
  return r.map((x) => x.n).sort();
}

export async function databaseExists(admin: mysql.Connection, db: string): Promise<boolean> {
  return (await rows(admin, 'SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db])).length > 0;
}

/** What a migration can change in these databases: which exist, their tables' definitions and rows, their routines. */
export async function mysqlState(admin: mysql.Connection, dbs: string[]): Promise<Record<string, unknown>> {
  const state: Record<string, unknown> = {};
  for (const db of dbs) {
    if (!(await databaseExists(admin, db))) {
      state[db] = null;
      continue;
    }
    const tables = await tablesOf(admin, db);
    const ddl: string[] = [];
    for (const t of tables) {
      const [r] = await admin.query<RowDataPacket[]>(`SHOW CREATE TABLE ${q(db)}.${q(t)}`);
      ddl.push(String(r[0]?.['Create Table']));
    }
    const routines = await rows(admin, 'SELECT ROUTINE_TYPE, ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ? ORDER BY 2', [db]);
    state[db] = { tables, ddl, rows: await content(admin, db, tables), routines: JSON.stringify(routines) };
  }
  return state;
}

/** The mysql command-line client, fed `script` on stdin as `mysql … db < script` would. */
export function runMysqlClient(db: string, script: string, cwd?: string): { code: number | null; stderr: string } {
  const r = spawnSync('mysql', ['-h', MYSQL_SERVER.host, '-P', String(MYSQL_SERVER.port), '-u', MYSQL_SERVER.user, db], { input: script, cwd, encoding: 'utf8' });
  return { code: r.status, stderr: r.stderr };
}
