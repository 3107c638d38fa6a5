/**
 * What would make Fief ≥ 0.28 fail or misbehave on a legacy workspace's PostgreSQL schema,
 * as warnings; read inside the caller's snapshot (the dump's, or the in-place migration's).
 */
import type pg from 'pg';
import { quoteQualified as qualified } from '../db/connection.js';
import { EXPECTED_PREFIX, EXPECTED_REVISION } from './fief-schema.js';
import type { SchemaCatalog } from './schema-catalog.js';

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
