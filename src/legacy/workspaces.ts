/**
 * The legacy main database: `workspaces` and `workspace_users`. Membership is the only
 * authorisation Fief Cloud had, so every lookup on behalf of a person filters by it.
 */
import type pg from 'pg';

export type DatabaseType = 'POSTGRESQL' | 'MYSQL' | 'SQLITE';

export interface WorkspaceRecord {
  id: string;
  name: string;
  domain: string;
  usersCount: number;
  databaseType: DatabaseType | null;
  alembicRevision: string | null;
  tablePrefix: string;
  useSchema: boolean;
  createdAt: Date;
}

/** The encrypted connection columns of a bring-your-own-database workspace (Fernet tokens). */
export interface WorkspaceConnectionColumns {
  database_host: string | null;
  database_port: string | null;
  database_username: string | null;
  database_password: string | null;
  database_name: string | null;
  database_ssl_mode: string | null;
}

interface WorkspaceRow {
  id: string;
  name: string;
  domain: string;
  users_count: number;
  database_type: DatabaseType | null;
  alembic_revision: string | null;
  database_table_prefix: string;
  database_use_schema: boolean;
  created_at: Date;
}

const COLUMNS = `w.id, w.name, w.domain, w.users_count, w.database_type::text AS database_type,
  w.alembic_revision, w.database_table_prefix, w.database_use_schema, w.created_at`;

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID_RE.test(value);
}

function toRecord(row: WorkspaceRow): WorkspaceRecord {
  return {
    id: row.id,
    name: row.name,
    domain: row.domain,
    usersCount: row.users_count,
    databaseType: row.database_type,
    alembicRevision: row.alembic_revision,
    tablePrefix: row.database_table_prefix,
    useSchema: row.database_use_schema,
    createdAt: row.created_at,
  };
}

export interface WorkspaceFilter {
  /** Only workspaces this person (main-tenant `sub`) is a member of. */
  userSub?: string;
}

function memberClause(filter: WorkspaceFilter, params: unknown[]): string {
  if (filter.userSub === undefined) return '';
  // Fief's subs are UUIDs: anything else is nobody (and would be a cast error). Comparing uuid
  // values, not text, keeps the predicate on the column itself, so an index on user_id serves it.
  if (!isUuid(filter.userSub)) return ' AND false';
  params.push(filter.userSub);
  return ` AND EXISTS (SELECT 1 FROM public.workspace_users wu WHERE wu.workspace_id = w.id AND wu.user_id = $${params.length}::uuid)`;
}

export async function listWorkspaces(client: pg.ClientBase, filter: WorkspaceFilter = {}): Promise<WorkspaceRecord[]> {
  const params: unknown[] = [];
  const sql = `SELECT ${COLUMNS} FROM public.workspaces w WHERE true${memberClause(filter, params)} ORDER BY lower(w.name), w.id`;
  const { rows } = await client.query<WorkspaceRow>(sql, params);
  return rows.map(toRecord);
}

export async function getWorkspace(client: pg.ClientBase, id: string, filter: WorkspaceFilter = {}): Promise<WorkspaceRecord | null> {
  if (!isUuid(id)) return null;
  const params: unknown[] = [id.toLowerCase()];
  const sql = `SELECT ${COLUMNS} FROM public.workspaces w WHERE w.id = $1${memberClause(filter, params)}`;
  const { rows } = await client.query<WorkspaceRow>(sql, params);
  return rows[0] ? toRecord(rows[0]) : null;
}

export async function getConnectionColumns(client: pg.ClientBase, id: string): Promise<WorkspaceConnectionColumns> {
  const { rows } = await client.query<WorkspaceConnectionColumns>(
    `SELECT database_host, database_port, database_username, database_password, database_name, database_ssl_mode
       FROM public.workspaces WHERE id = $1`,
    [id],
  );
  if (!rows[0]) throw new Error(`workspace ${id} vanished`);
  return rows[0];
}
