/**
 * In-place migration on MySQL/MariaDB: the tables of database `<id>` move into the legacy
 * main database with ONE multi-table RENAME TABLE, which the server applies atomically (the
 * official recipe's 28 separate statements can stop halfway, and its double quotes are a
 * syntax error without ANSI_QUOTES). InnoDB re-points the foreign keys on rename. Enums are
 * inline column types on MySQL: there is nothing else to move.
 */
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { ExporterError, UsageError } from '../errors.js';
import { isUuid } from '../legacy/workspaces.js';
import { describeMysql, quoteMysqlIdent as q, withMysql, type MysqlTarget } from './mysql-client.js';
import { mysqlPreflightWarnings } from './mysql-preflight.js';
import { moveReport, type MigrationReport } from './report.js';

export interface MysqlMigrateOptions {
  target: MysqlTarget;
  workspaceId: string;
  dryRun?: boolean;
  strict?: boolean;
}

interface WorkspaceRow extends RowDataPacket {
  id: string;
  name: string;
  database_type: string | null;
  database_table_prefix: string | null;
}
interface TableRow extends RowDataPacket {
  name: string;
  type: string;
}
interface WhatRow extends RowDataPacket {
  what: string;
}

// A running Fief holds metadata locks: fail after a while rather than queue behind them.
const LOCK_TIMEOUT = 'SET SESSION lock_wait_timeout = 10;';

async function hostedWorkspace(conn: mysql.Connection, t: MysqlTarget, id: string): Promise<WorkspaceRow> {
  const [main] = await conn.query<TableRow[]>(
    "SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = 'workspaces'",
    [t.database],
  );
  if (main.length === 0) {
    throw new ExporterError('WORKSPACE_NOT_FOUND', `${describeMysql(t)} has no workspaces table: --mysql-url must name the legacy (≤ 0.27) main database`);
  }
  const [rows] = await conn.query<WorkspaceRow[]>(
    `SELECT id, name, database_type, database_table_prefix FROM ${q(t.database)}.workspaces WHERE id = ?`,
    [id],
  );
  const workspace = rows[0];
  if (!workspace) throw new ExporterError('WORKSPACE_NOT_FOUND', `workspace ${id} does not exist in ${describeMysql(t)}`);
  if (workspace.database_type !== null) {
    throw new ExporterError(
      'WORKSPACE_UNSUPPORTED',
      `workspace ${id} keeps its data in its own ${workspace.database_type} database (bring your own database); ` +
        'migrate-in-place only moves workspaces hosted by the instance, a BYOD workspace is out of its scope',
    );
  }
  return workspace;
}

/** What else a database can hold besides tables; any of it keeps the workspace database alive. */
async function nonTableObjects(conn: mysql.Connection, db: string): Promise<string[]> {
  const [rows] = await conn.query<WhatRow[]>(
    `SELECT CONCAT(LOWER(ROUTINE_TYPE), ' ', ROUTINE_NAME) AS what FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?
     UNION ALL SELECT CONCAT('event ', EVENT_NAME) FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?
     UNION ALL SELECT CONCAT('trigger ', TRIGGER_NAME) FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?`,
    [db, db, db],
  );
  return rows.map((r) => r.what).sort();
}

async function listTables(conn: mysql.Connection, db: string): Promise<TableRow[]> {
  const [rows] = await conn.query<TableRow[]>(
    'SELECT TABLE_NAME AS name, TABLE_TYPE AS type FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? ORDER BY TABLE_NAME',
    [db],
  );
  return rows;
}

async function databaseExists(conn: mysql.Connection, db: string): Promise<boolean> {
  const [schemata] = await conn.query<WhatRow[]>('SELECT SCHEMA_NAME AS what FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [db]);
  return schemata.length > 0;
}

async function readTables(conn: mysql.Connection, t: MysqlTarget, id: string): Promise<string[]> {
  if (!(await databaseExists(conn, id))) {
    throw new ExporterError('WORKSPACE_NOT_FOUND', `the workspace database ${id} does not exist on ${t.host}:${t.port} (was it migrated already?)`);
  }
  const tables = await listTables(conn, id);
  if (tables.length === 0) throw new ExporterError('WORKSPACE_NOT_FOUND', `the workspace database ${id} holds no tables`);
  // RENAME TABLE cannot move a view, nor a table with triggers, to another database; Fief never
  // creates either, so refuse before moving anything rather than fail inside the RENAME.
  const odd = [
    ...tables.filter((r) => r.type !== 'BASE TABLE').map((r) => `${r.type.toLowerCase()} ${r.name}`),
    ...(await nonTableObjects(conn, id)).filter((w) => w.startsWith('trigger ')),
  ];
  if (odd.length > 0) {
    throw new ExporterError('WORKSPACE_UNSUPPORTED', `the workspace database holds objects a Fief workspace never has (${odd.join(', ')}); move or drop them first`);
  }
  return tables.map((r) => r.name);
}

export function renameStatement(id: string, main: string, tables: string[]): string {
  return `RENAME TABLE\n${tables.map((n) => `  ${q(id)}.${q(n)} TO ${q(main)}.${q(n)}`).join(',\n')};`;
}

/**
 * DROP DATABASE takes along whatever the database holds, and MySQL has no RESTRICT: the drop is
 * prepared only if the database is empty when it runs, so a --dry-run script run later never
 * drops what was created in the meantime. `id` is a UUID: nothing in it needs escaping.
 */
export function dropIfEmptyStatements(id: string): string[] {
  const count = (table: string, column: string): string => `(SELECT COUNT(*) FROM information_schema.${table} WHERE ${column} = '${id}')`;
  const total = [count('TABLES', 'TABLE_SCHEMA'), count('ROUTINES', 'ROUTINE_SCHEMA'), count('EVENTS', 'EVENT_SCHEMA'), count('TRIGGERS', 'TRIGGER_SCHEMA')];
  return [
    `SET @fief_exporter_drop = IF(${total.join('\n  + ')} = 0,\n  'DROP DATABASE ${q(id)}', 'DO 0');`,
    'PREPARE fief_exporter_drop FROM @fief_exporter_drop;',
    'EXECUTE fief_exporter_drop;',
    'DEALLOCATE PREPARE fief_exporter_drop;',
  ];
}

async function migrate(conn: mysql.Connection, opts: MysqlMigrateOptions): Promise<MigrationReport> {
  const t = opts.target;
  const id = opts.workspaceId.toLowerCase();
  const dryRun = opts.dryRun ?? false;
  if (!isUuid(id)) throw new UsageError(`the workspace id must be a UUID`);
  if (id === t.database) throw new UsageError('--mysql-url must name the main database, not the workspace database');
  const workspace = await hostedWorkspace(conn, t, id);
  const tables = await readTables(conn, t, id);
  const [clashes] = await conn.query<WhatRow[]>(
    'SELECT TABLE_NAME AS what FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME IN (?) ORDER BY TABLE_NAME',
    [t.database, tables],
  );
  if (clashes.length > 0) {
    const names = clashes.map((r) => r.what);
    throw new ExporterError(
      'MIGRATE_TARGET_NOT_EMPTY',
      `the main database ${t.database} already has ${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}; ` +
        'only one workspace can live in a database, nothing was moved',
    );
  }
  const warnings = await mysqlPreflightWarnings(conn, id, tables, workspace.database_table_prefix ?? 'fief_');
  if ((opts.strict ?? false) && warnings.length > 0) {
    throw new ExporterError('PREFLIGHT_FAILED', `pre-flight checks failed (--strict), nothing was moved: ${warnings.join('; ')}`);
  }
  const [others] = await conn.query<WorkspaceRow[]>(
    `SELECT id, name, database_type, database_table_prefix FROM ${q(t.database)}.workspaces WHERE id <> ? AND database_type IS NULL ORDER BY name`,
    [id],
  );
  const rename = renameStatement(id, t.database, tables);
  const drop = dropIfEmptyStatements(id);

  let leftovers = await nonTableObjects(conn, id);
  let dropAttempted = leftovers.length === 0;
  if (!dryRun) {
    await conn.query(LOCK_TIMEOUT);
    await conn.query(rename);
    // DROP DATABASE takes everything in it along: look again, right before, and keep it if
    // anything at all is left.
    leftovers = [...(await listTables(conn, id)).map((r) => `${r.type.toLowerCase()} ${r.name}`), ...(await nonTableObjects(conn, id))];
    dropAttempted = leftovers.length === 0;
    if (dropAttempted) {
      // The tables have moved by now: a failed drop (say, a stray file in its directory) must
      // not read as a failed migration, so it is reported as what was left behind.
      try {
        for (const sql of drop) await conn.query(sql);
        if (await databaseExists(conn, id)) leftovers = ['objects created while it was being dropped'];
      } catch (err) {
        const e = err as { sqlMessage?: unknown };
        leftovers = [`whatever made DROP DATABASE fail (${typeof e.sqlMessage === 'string' ? e.sqlMessage : String(err)})`];
      }
    }
  }
  return moveReport({
    engine: 'mysql', workspaceId: id, workspaceName: workspace.name, dryRun, warnings, leftovers,
    otherWorkspaces: others.map((w) => `${w.name} (${w.id})`),
    statements: [LOCK_TIMEOUT, rename, ...(dropAttempted ? drop : [])],
    movedTables: tables,
  });
}

export async function migrateMysql(opts: MysqlMigrateOptions): Promise<MigrationReport> {
  return withMysql(opts.target, (conn) => migrate(conn, opts));
}
