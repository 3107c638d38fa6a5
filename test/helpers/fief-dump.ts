/**
 * Hand-made dumps in fief-exporter's format (docs/architecture.md), version 2 (CRC-32) or 1
 * (SHA-256, what earlier builds wrote): our header, session settings, BEGIN, two enum-typed
 * tables with COPY data, a foreign key, the verify and complete footer, COMMIT. Knobs break
 * one thing at a time. Checksums are computed here, independently of src/dump/format.ts.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const DUMP_KEY = 'dGVzdC1rZXktdGVzdC1rZXktdGVzdC1rZXktdGVzdDE=';

export interface DumpOptions {
  /** Format version (line 2); 2 unless told. */
  version?: number;
  /** Declared row counts to put in verify lines instead of the true ones. */
  rows?: Record<string, number>;
  /** Replace a table's checksum in its verify line. */
  checksum?: Record<string, string>;
  /** Leave out the complete line (a dump cut short before its end). */
  omitComplete?: boolean;
  /** Total in the complete line instead of the true one. */
  completeRows?: number;
  schema?: string;
  /** fief_clients' rows instead of the usual two (their checksum computed as usual). */
  clients?: string[];
  /** Generated rows appended to fief_users, for a dump that takes a while to load. */
  extraUsers?: number;
}

const USERS = [
  'a1b2c3d4-0000-4000-8000-000000000001\talice@example.com\t0\t{"k": "v; w"}',
  'a1b2c3d4-0000-4000-8000-000000000002\tbob@example.com\t1\t\\N',
  'a1b2c3d4-0000-4000-8000-000000000003\t\\\\.\t0\t"back\\\\\\\\slash"',
];
const CLIENTS = ['c0000000-0000-4000-8000-000000000001\tWeb; app\ta1b2c3d4-0000-4000-8000-000000000001', 'c0000000-0000-4000-8000-000000000002\tCLI\t\\N'];

export const DUMP_TABLES = { fief_users: USERS.length, fief_clients: CLIENTS.length };

function block(lines: string[], version: number): { text: string; checksum: string } {
  const text = lines.map((l) => `${l}\n`).join('');
  const checksum = version === 1 ? createHash('sha256').update(text).digest('hex') : crc32(text).toString(16).padStart(8, '0');
  return { text, checksum };
}

export function fiefDump(opts: DumpOptions = {}): string {
  const version = opts.version ?? 2;
  const field = version === 1 ? 'sha256' : 'crc32';
  const schema = opts.schema ?? 'public';
  // As the dump engine writes them: created objects qualified and quoted, definitions
  // unqualified (they resolve through the search_path the dump sets).
  const q = `"${schema}"`;
  const generated = Array.from({ length: opts.extraUsers ?? 0 }, (_, k) => `a1b2c3d4-0000-4000-8000-${(k + 16).toString(16).padStart(12, '0')}\tuser${k}@example.com\t1\t\\N`);
  const users = block([...USERS, ...generated], version);
  const clientRows = opts.clients ?? CLIENTS;
  const clients = block(clientRows, version);
  const verify = (table: string, rows: number, checksum: string): string =>
    `-- fief-exporter:verify ${JSON.stringify({ table, rows: opts.rows?.[table] ?? rows, [field]: opts.checksum?.[table] ?? checksum })}\n`;
  const total = USERS.length + generated.length + clientRows.length;
  return [
    `-- ENCRYPTION_KEY=${DUMP_KEY}\n`,
    `-- fief-exporter dump format ${version}\n`,
    '-- Workspace: Test; workspace (5f4e3d2c-0000-4000-8000-000000000000)\n',
    '-- Source: Fief 0.27 (alembic revision abc123)\n\n',
    "SET statement_timeout = 0;\nSET client_encoding = 'UTF8';\nSET standard_conforming_strings = on;\nSET client_min_messages = warning;\n\n",
    'BEGIN;\n\n',
    schema === 'public' ? '' : `CREATE SCHEMA IF NOT EXISTS ${q};\n`,
    `SELECT pg_catalog.set_config('search_path', '${q}', true);\n\n`,
    `CREATE TYPE ${q}."fief_acr" AS ENUM ('0', '1');\n`,
    `CREATE TABLE ${q}."fief_users" (\n    "id" uuid NOT NULL,\n    "email" character varying(320) NOT NULL,\n    "acr" fief_acr NOT NULL,\n    "fields" jsonb\n);\n`,
    `CREATE TABLE ${q}."fief_clients" (\n    "id" uuid NOT NULL,\n    "name" text NOT NULL,\n    "user_id" uuid\n);\n\n`,
    `COPY ${q}."fief_users" ("id", "email", "acr", "fields") FROM stdin;\n${users.text}\\.\n\n`,
    `COPY ${q}."fief_clients" ("id", "name", "user_id") FROM stdin;\n${clients.text}\\.\n\n`,
    `ALTER TABLE ONLY ${q}."fief_users"\n    ADD CONSTRAINT "fief_users_pkey" PRIMARY KEY (id);\n\n`,
    `ALTER TABLE ONLY ${q}."fief_clients"\n    ADD CONSTRAINT "fief_clients_pkey" PRIMARY KEY (id);\n\n`,
    `ALTER TABLE ONLY ${q}."fief_clients"\n    ADD CONSTRAINT "fief_clients_user_id_fkey" FOREIGN KEY (user_id) REFERENCES fief_users(id);\n\n`,
    verify('fief_users', USERS.length + generated.length, users.checksum),
    verify('fief_clients', clientRows.length, clients.checksum),
    opts.omitComplete ? '' : `-- fief-exporter:complete ${JSON.stringify({ tables: 2, rows: opts.completeRows ?? total })}\n`,
    'COMMIT;\n',
  ].join('');
}
