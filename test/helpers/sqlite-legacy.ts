/**
 * Real SQLite files for the SQLite path, written with sql.js: a legacy (≤ 0.27) main file
 * (`workspaces` and friends, our own DDL in SQLAlchemy's SQLite flavour: CHAR(36) ids,
 * VARCHAR enums) and a workspace file holding a few `fief_` tables.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import initSqlJs, { type Database } from 'sql.js';

const MAIN_DDL = `
  CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
  CREATE TABLE "workspaces" (
    id CHAR(36) NOT NULL PRIMARY KEY, created_at TIMESTAMP DEFAULT (CURRENT_TIMESTAMP) NOT NULL,
    updated_at TIMESTAMP DEFAULT (CURRENT_TIMESTAMP) NOT NULL, name VARCHAR(255) NOT NULL, domain VARCHAR(255) NOT NULL,
    database_type VARCHAR(10), database_host TEXT, database_port TEXT, database_username TEXT, database_password TEXT,
    database_name TEXT, alembic_revision VARCHAR(255), database_ssl_mode TEXT, users_count INTEGER DEFAULT '0' NOT NULL,
    database_use_schema BOOLEAN NOT NULL, database_table_prefix VARCHAR(255) NOT NULL);
  CREATE TABLE workspace_users (
    id CHAR(36) NOT NULL PRIMARY KEY, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL,
    workspace_id CHAR(36) NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE, user_id CHAR(36) NOT NULL);
  CREATE TABLE admin_session_tokens (
    id CHAR(36) NOT NULL PRIMARY KEY, created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL,
    token VARCHAR(255) NOT NULL UNIQUE, raw_tokens TEXT NOT NULL, raw_userinfo TEXT NOT NULL);
  INSERT INTO alembic_version VALUES ('c8cf076d3ffa');`;

const WORKSPACE_DDL = `
  CREATE TABLE fief_alembic_version (version_num VARCHAR(32) NOT NULL PRIMARY KEY);
  CREATE TABLE fief_tenants (id CHAR(36) NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, slug VARCHAR(255) NOT NULL UNIQUE);
  CREATE TABLE fief_users (
    id CHAR(36) NOT NULL PRIMARY KEY, email VARCHAR(320) NOT NULL,
    tenant_id CHAR(36) NOT NULL REFERENCES fief_tenants (id) ON DELETE CASCADE);
  INSERT INTO fief_alembic_version VALUES ('6c06c7d908a7');`;

async function withNewDatabase(path: string, fn: (db: Database) => void): Promise<void> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  try {
    fn(db);
    writeFileSync(path, db.export());
  } finally {
    db.close();
  }
}

export interface SqliteWorkspace {
  id: string;
  name: string;
  /** 'POSTGRESQL' or 'MYSQL' for a bring-your-own-database workspace. */
  databaseType?: string;
}

export async function writeLegacyMain(path: string, workspaces: SqliteWorkspace[]): Promise<void> {
  await withNewDatabase(path, (db) => {
    db.exec(MAIN_DDL);
    for (const w of workspaces) {
      db.run(
        // Fixed times: two files written from the same list are byte for byte the same.
        `INSERT INTO workspaces (id, created_at, updated_at, name, domain, database_type, database_use_schema, database_table_prefix, alembic_revision)
         VALUES (?, '2024-01-01 00:00:00', '2024-01-01 00:00:00', ?, ?, ?, 0, 'fief_', '6c06c7d908a7')`,
        [w.id, w.name, `${w.id}.localhost`, w.databaseType ?? null],
      );
    }
  });
}

/** A workspace file: its tenant is named `tag`, so a test can tell files apart by content. */
export async function writeWorkspaceFile(path: string, tag: string): Promise<void> {
  await withNewDatabase(path, (db) => {
    db.exec(WORKSPACE_DDL);
    db.run("INSERT INTO fief_tenants VALUES ('00000000-0000-4000-8000-00000000000a', ?, 'default')", [tag]);
  });
}

/** The tenant name a workspace file was written with, or the table names of any other file. */
export async function describeSqliteFile(path: string): Promise<string> {
  const SQL = await initSqlJs();
  const db = new SQL.Database(readFileSync(path));
  try {
    const tables = db.exec("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)");
    const names = String(tables[0]?.values[0]?.[0] ?? '');
    if (!names.split(',').includes('fief_tenants')) return `tables ${names}`;
    return `workspace ${String(db.exec('SELECT name FROM fief_tenants')[0]?.values[0]?.[0])}`;
  } finally {
    db.close();
  }
}
