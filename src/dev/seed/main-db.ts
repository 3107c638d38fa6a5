/**
 * The legacy main database: its schema in `public` and the rows that register a workspace
 * (workspaces, workspace_users, and an admin API key so the never-exported tables are not empty).
 */
import type pg from 'pg';
import { withTransaction } from '../../db/connection.js';
import { ExporterError } from '../../errors.js';
import type { Fernet } from '../../crypto/fernet.js';
import { MAIN_ALEMBIC_REVISION, MAIN_SCHEMA } from './main-schema.js';
import { renderDdl } from './schema-model.js';
import { makeToken, makeUuid, Rng } from './prng.js';
import { BASE_TIME_MS, timestamp } from './data-context.js';
import { TABLE_PREFIX, WORKSPACE_ALEMBIC_REVISION } from './workspace-schema.js';

export async function createMainSchema(client: pg.Client): Promise<void> {
  const existing = await client.query("SELECT 1 FROM pg_class WHERE oid = to_regclass('public.workspaces')");
  if (existing.rowCount !== 0) {
    throw new ExporterError('INPUT_ERROR', 'the database already holds a legacy Fief main schema (seed into a fresh database)');
  }
  const ddl = renderDdl(MAIN_SCHEMA);
  await withTransaction(client, async () => {
    await client.query("SELECT set_config('search_path', 'public', true)");
    for (const statement of [...ddl.tables, ...ddl.constraints]) await client.query(statement);
    await client.query('INSERT INTO public.alembic_version (version_num) VALUES ($1)', [MAIN_ALEMBIC_REVISION]);
  });
}

/** Where a BYOD workspace's data lives, as Fief stored it (every field Fernet-encrypted). */
export interface ConnectionFields {
  type: 'POSTGRESQL' | 'MYSQL';
  host: string;
  port: string;
  username: string;
  password: string | null;
  name: string;
  sslMode: string;
  useSchema: boolean;
}

export interface WorkspaceRow {
  id: string;
  name: string;
  domain: string;
  usersCount: number;
  /** null for a Fief Cloud workspace (data in the main database, schema "<id>"). */
  connection: ConnectionFields | null;
  members: string[];
  seed: number;
}

export async function registerWorkspace(client: pg.Client, fernet: Fernet, ws: WorkspaceRow): Promise<void> {
  const created = BASE_TIME_MS - 90 * 86_400_000 + (ws.seed % 86_400) * 1000;
  const c = ws.connection;
  // Deterministic IVs and issue time, like the workspace data, so a seed reproduces the bytes.
  const rng = new Rng(ws.seed, 'workspace_row');
  const enc = (value: string | null | undefined): string | null =>
    value === null || value === undefined ? null : fernet.encrypt(value, { iv: rng.bytes(16), time: Math.floor(created / 1000) });
  await withTransaction(client, async () => {
    await client.query(
      `INSERT INTO public.workspaces (id, created_at, updated_at, name, domain, database_type, database_host, database_port,
         database_username, database_password, database_name, alembic_revision, database_ssl_mode, users_count,
         database_use_schema, database_table_prefix)
       VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
      [ws.id, timestamp(created), ws.name, ws.domain, c?.type ?? null, enc(c?.host), enc(c?.port), enc(c?.username), enc(c?.password),
        enc(c?.name), WORKSPACE_ALEMBIC_REVISION, enc(c?.sslMode), ws.usersCount, c?.useSchema ?? false, TABLE_PREFIX],
    );
    for (const [k, sub] of ws.members.entries()) {
      await client.query(
        'INSERT INTO public.workspace_users (id, created_at, updated_at, workspace_id, user_id) VALUES ($1, $2, $2, $3, $4)',
        [makeUuid(ws.seed, 'workspace_user', k), timestamp(created + (k + 1) * 60_000), ws.id, sub],
      );
    }
    await client.query(
      'INSERT INTO public.admin_api_key (id, created_at, updated_at, name, token, workspace_id) VALUES ($1, $2, $2, $3, $4, $5)',
      [makeUuid(ws.seed, 'admin_api_key', 0), timestamp(created), 'CI deploy key', makeToken(ws.seed, 'admin_api_key', 0), ws.id],
    );
  });
}

/** One admin dashboard session per account, as the legacy admin left behind. */
export async function insertAdminSessions(client: pg.Client, seed: number, accounts: { sub: string; email: string }[]): Promise<void> {
  for (const [i, a] of accounts.entries()) {
    await client.query(
      `INSERT INTO public.admin_session_tokens (id, created_at, updated_at, token, raw_tokens, raw_userinfo)
       VALUES ($1, $2, $2, $3, $4, $5)`,
      [makeUuid(seed, 'admin_session', i), timestamp(BASE_TIME_MS + i * 3600_000), makeToken(seed, 'admin_session', i),
        JSON.stringify({ access_token: makeToken(seed, 'admin_access', i), token_type: 'bearer' }),
        JSON.stringify({ sub: a.sub, email: a.email, email_verified: true })],
    );
  }
}
