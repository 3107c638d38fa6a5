/**
 * Hand-made dumps in fief-exporter format v1 (docs/architecture.md): our header, session
 * settings, BEGIN, two enum-typed tables with COPY data, a foreign key, the verify and complete
 * footer, COMMIT. Knobs break one thing at a time.
 */
import { createHash } from 'node:crypto';

export const V1_KEY = 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdDE=';

export interface V1Options {
  /** Declared row counts to put in verify lines instead of the true ones. */
  rows?: Record<string, number>;
  /** Replace a table's sha256 in its verify line. */
  sha256?: Record<string, string>;
  /** Leave out the complete line (a dump cut short before its end). */
  omitComplete?: boolean;
  /** Total in the complete line instead of the true one. */
  completeRows?: number;
  schema?: string;
}

const USERS = [
  'a1b2c3d4-0000-4000-8000-000000000001\talice@example.com\t0\t{"k": "v; w"}',
  'a1b2c3d4-0000-4000-8000-000000000002\tbob@example.com\t1\t\\N',
  'a1b2c3d4-0000-4000-8000-000000000003\t\\\\.\t0\t"back\\\\\\\\slash"',
];
const CLIENTS = ['c0000000-0000-4000-8000-000000000001\tWeb; app\ta1b2c3d4-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002\tCLI\t\\N'];

export const V1_TABLES = { fief_users: USERS.length, fief_clients: CLIENTS.length };

function block(lines: string[]): { text: string; sha256: string } {
  const text = lines.map((l) => `${l}\n`).join('');
  return { text, sha256: createHash('sha256').update(text).digest('hex') };
}

export function v1Dump(opts: V1Options = {}): string {
  const schema = opts.schema ?? 'public';
  const q = schema === 'public' ? 'public' : `"${schema}"`;
  const users = block(USERS);
  const clients = block(CLIENTS);
  const verify = (table: string, rows: number, sha: string): string =>
    `-- fief-exporter:verify ${JSON.stringify({ table, rows: opts.rows?.[table] ?? rows, sha256: opts.sha256?.[table] ?? sha })}\n`;
  const total = USERS.length + CLIENTS.length;
  return [
    `-- ENCRYPTION_KEY=${V1_KEY}\n`,
    '-- fief-exporter dump format 1\n',
    '-- Workspace: Test; workspace (5f4e3d2c-0000-4000-8000-000000000000)\n',
    '-- Source: Fief 0.27 (alembic revision abc123)\n\n',
    "SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSET client_min_messages = warning;\n\n",
    'BEGIN;\n\n',
    schema === 'public' ? '' : `CREATE SCHEMA IF NOT EXISTS ${q};\n`,
    `SELECT pg_catalog.set_config('search_path', '${q}', true);\n\n`,
    `CREATE TYPE ${q}.fief_acr AS ENUM ('0', '1');\n`,
    `CREATE TABLE ${q}.fief_users (\n    id uuid NOT NULL,\n    email character varying(320) NOT NULL,\n    acr ${q}.fief_acr NOT NULL,\n    fields jsonb\n);\n`,
    `CREATE TABLE ${q}.fief_clients (\n    id uuid NOT NULL,\n    name text NOT NULL,\n    user_id uuid\n);\n\n`,
    `COPY ${q}.fief_users (id, email, acr, fields) FROM stdin;\n${users.text}\\.\n\n`,
    `COPY ${q}.fief_clients (id, name, user_id) FROM stdin;\n${clients.text}\\.\n\n`,
    `ALTER TABLE ONLY ${q}.fief_users ADD CONSTRAINT fief_users_pkey PRIMARY KEY (id);\n`,
    `ALTER TABLE ONLY ${q}.fief_clients ADD CONSTRAINT fief_clients_pkey PRIMARY KEY (id);\n`,
    `ALTER TABLE ONLY ${q}.fief_clients ADD CONSTRAINT fief_clients_user_id_fkey FOREIGN KEY (user_id) REFERENCES ${q}.fief_users(id);\n\n`,
    verify('fief_users', USERS.length, users.sha256),
    verify('fief_clients', CLIENTS.length, clients.sha256),
    opts.omitComplete ? '' : `-- fief-exporter:complete ${JSON.stringify({ tables: 2, rows: opts.completeRows ?? total })}\n`,
    'COMMIT;\n',
  ].join('');
}
