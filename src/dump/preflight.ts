/**
 * Checks run inside the dump's snapshot before the first byte: what would make Fief ≥ 0.28
 * fail or misbehave on the imported database, and whether every encrypted value decrypts
 * with the key we were given (a wrong key must fail before a download starts, not midway).
 */
import type pg from 'pg';
import { ExporterError } from '../errors.js';
import { qualified } from './ddl.js';
import { decryptFailure, encryptedColumnsOf, type Reencryptor } from './reencrypt.js';
import type { SchemaCatalog } from './source-catalog.js';
import { quoteIdent } from '../db/connection.js';
import { FernetTokenError } from '../crypto/fernet.js';

export const EXPECTED_REVISION = '6c06c7d908a7';
export const EXPECTED_PREFIX = 'fief_';

/** Rows that die with the old instance's SECRET (HMAC digests) or are short-lived sessions. */
export const DEAD_SECRET_TABLES = [
  'session_tokens',
  'refresh_tokens',
  'authorization_codes',
  'email_verifications',
  'login_sessions',
  'registration_sessions',
  'oauth_sessions',
] as const;

function has(catalog: SchemaCatalog, name: string): boolean {
  return catalog.tables.some((t) => t.name === name);
}

export async function preflightWarnings(client: pg.Client, catalog: SchemaCatalog, prefix: string): Promise<string[]> {
  const warnings: string[] = [];
  const s = catalog.schema;
  if (prefix !== EXPECTED_PREFIX) {
    warnings.push(`the workspace table prefix is "${prefix}", but Fief ≥ 0.28 expects "${EXPECTED_PREFIX}" unless you set DATABASE_TABLE_PREFIX`);
  }
  const versionTable = `${prefix}alembic_version`;
  if (!has(catalog, versionTable)) {
    warnings.push(`the workspace has no ${versionTable} table; Fief ≥ 0.28 expects revision ${EXPECTED_REVISION}`);
  } else {
    const { rows } = await client.query<{ v: string }>(`SELECT version_num AS v FROM ${qualified(s, versionTable)}`);
    const versions = rows.map((r) => r.v);
    if (versions.length !== 1 || versions[0] !== EXPECTED_REVISION) {
      warnings.push(`${versionTable} holds ${versions.join(', ') || 'no revision'}, not ${EXPECTED_REVISION}: Fief ≥ 0.28 may fail to upgrade it`);
    }
  }
  const accounts = `${prefix}oauth_accounts`;
  if (has(catalog, accounts)) {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM (SELECT 1 FROM ${qualified(s, accounts)} WHERE user_id IS NOT NULL
         GROUP BY oauth_provider_id, account_id HAVING count(*) > 1) d`,
    );
    const n = Number(rows[0]?.n ?? 0);
    if (n > 0) {
      warnings.push(`${accounts} has ${n} duplicated (oauth_provider_id, account_id) pair(s) among linked accounts: Fief 0.28.8+ will fail to start until they are removed`);
    }
  }
  const roles = `${prefix}roles`;
  if (has(catalog, roles)) {
    const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${qualified(s, roles)} WHERE name = 'Administrator'`);
    if (Number(rows[0]?.n ?? 0) > 0) {
      warnings.push(`the workspace already has a role named "Administrator": "fief grant-admin-role" will be ambiguous; rename that role first`);
    }
  }
  return warnings;
}

/** Rows per table whose tokens are decrypted before the first byte. */
const SAMPLE_ROWS = 20;

/**
 * Decrypts a sample of every encrypted column before the first byte: a wrong ENCRYPTION_KEY
 * (the usual mistake) then fails before a download starts. Every other token is decrypted
 * while it streams, and a bad one still stops the export with its table, column and row id.
 */
export async function checkEncryptedValues(client: pg.Client, catalog: SchemaCatalog, prefix: string, reencryptor: Reencryptor): Promise<void> {
  for (const table of catalog.tables) {
    const columns = encryptedColumnsOf(table, prefix);
    if (columns.length === 0) continue;
    const { rows } = await client.query<Record<string, string | null>>(
      `SELECT id::text AS id, ${columns.map(quoteIdent).join(', ')} FROM ${qualified(catalog.schema, table.name)} LIMIT ${SAMPLE_ROWS}`,
    );
    for (const row of rows) {
      for (const column of columns) {
        const token = row[column];
        if (token === null || token === undefined) continue;
        try {
          reencryptor.check(token);
        } catch (err) {
          if (err instanceof FernetTokenError) throw decryptFailure(table.name, column, row.id ?? '?');
          throw err;
        }
      }
    }
  }
}

/** Pruning must not orphan kept rows: refuse if a kept table references a pruned one. */
export function assertPrunable(catalog: SchemaCatalog, pruned: Set<string>): void {
  for (const t of catalog.tables) {
    if (pruned.has(t.name)) continue;
    for (const c of t.constraints) {
      const ref = /REFERENCES\s+("?)([^"(\s]+)\1\s*\(/.exec(c.definition)?.[2];
      if (c.kind === 'f' && ref !== undefined && pruned.has(ref)) {
        throw new ExporterError('PREFLIGHT_FAILED', `cannot prune ${ref}: ${t.name} references it (${c.name})`);
      }
    }
  }
}
