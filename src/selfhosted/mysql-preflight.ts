/**
 * The PostgreSQL pre-flight checks (src/legacy/upgrade-checks.ts), asked of a MySQL workspace
 * database: what would make Fief ≥ 0.28 fail or misbehave once its tables are in the main DB.
 */
import type mysql from 'mysql2/promise';
import type { RowDataPacket } from 'mysql2/promise';
import { EXPECTED_PREFIX, EXPECTED_REVISION } from '../legacy/fief-schema.js';
import { quoteMysqlIdent as q } from './mysql-client.js';

interface VersionRow extends RowDataPacket {
  v: string;
}
interface CountRow extends RowDataPacket {
  n: number | string;
}

async function count(conn: mysql.Connection, sql: string): Promise<number> {
  const [rows] = await conn.query<CountRow[]>(sql);
  return Number(rows[0]?.n ?? 0);
}

export async function mysqlPreflightWarnings(conn: mysql.Connection, database: string, tables: string[], prefix: string): Promise<string[]> {
  const warnings: string[] = [];
  const at = (table: string): string => `${q(database)}.${q(table)}`;
  if (prefix !== EXPECTED_PREFIX) {
    warnings.push(`the workspace table prefix is "${prefix}", but Fief ≥ 0.28 expects "${EXPECTED_PREFIX}" unless you set DATABASE_TABLE_PREFIX`);
  }
  const versionTable = `${prefix}alembic_version`;
  if (!tables.includes(versionTable)) {
    warnings.push(`the workspace has no ${versionTable} table; Fief ≥ 0.28 expects revision ${EXPECTED_REVISION}`);
  } else {
    const [rows] = await conn.query<VersionRow[]>(`SELECT version_num AS v FROM ${at(versionTable)}`);
    const versions = rows.map((r) => r.v);
    if (versions.length !== 1 || versions[0] !== EXPECTED_REVISION) {
      warnings.push(`${versionTable} holds ${versions.join(', ') || 'no revision'}, not ${EXPECTED_REVISION}: Fief ≥ 0.28 may fail to upgrade it`);
    }
  }
  const accounts = `${prefix}oauth_accounts`;
  if (tables.includes(accounts)) {
    const n = await count(
      conn,
      `SELECT COUNT(*) AS n FROM (SELECT 1 FROM ${at(accounts)} WHERE user_id IS NOT NULL
         GROUP BY oauth_provider_id, account_id HAVING COUNT(*) > 1) d`,
    );
    if (n > 0) {
      warnings.push(`${accounts} has ${n} duplicated (oauth_provider_id, account_id) pair(s) among linked accounts: Fief 0.28.8+ will fail to start until they are removed`);
    }
  }
  const roles = `${prefix}roles`;
  if (tables.includes(roles) && (await count(conn, `SELECT COUNT(*) AS n FROM ${at(roles)} WHERE name = 'Administrator'`)) > 0) {
    warnings.push(`the workspace already has a role named "Administrator": "fief grant-admin-role" will be ambiguous; rename that role first`);
  }
  return warnings;
}
