/**
 * The target must not already hold a Fief schema: replaying into it would fail half-way on
 * "already exists" or, worse, mix two workspaces. `--clean` drops the old one instead, inside
 * the import's transaction, so a failed import puts it back.
 */
import type pg from 'pg';
import { ExporterError } from '../errors.js';
import { quoteQualified } from '../db/connection.js';

const PREFIX = 'fief\\_%'; // LIKE pattern for "fief_" (the underscore escaped)

/** `prepareTarget` for the schema the script is about to create objects in (its search_path's first schema, else public). */
export function prepareCurrentTarget(client: pg.Client, clean: boolean): Promise<string[]> {
  return prepareTarget(client, null, clean);
}

/**
 * Refuses a schema holding fief_ tables, or (clean) drops them and the fief_ enum types. Returns
 * what was dropped. A null schema is the current one, found in the same round trip as its tables.
 */
export async function prepareTarget(client: pg.Client, schema: string | null, clean: boolean): Promise<string[]> {
  const { rows } = await client.query<{ schema: string; tables: string[] }>(
    `SELECT s.schema, ARRAY(SELECT c.relname::text FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
                             WHERE n.nspname = s.schema AND c.relkind IN ('r', 'p') AND c.relname LIKE $1 ORDER BY 1) AS tables
       FROM (SELECT coalesce($2::text, current_schema(), 'public') AS schema) s`,
    [PREFIX, schema],
  );
  const row = rows[0] ?? { schema: schema ?? 'public', tables: [] };
  return clearTarget(client, row.schema, row.tables, clean);
}

async function clearTarget(client: pg.Client, schema: string, tables: string[], clean: boolean): Promise<string[]> {
  if (tables.length > 0 && !clean) {
    throw new ExporterError(
      'IMPORT_TARGET_NOT_EMPTY',
      `the target schema ${schema} already holds ${tables.length} fief_ table(s) (${tables.slice(0, 3).join(', ')}${tables.length > 3 ? ', …' : ''}); import into an empty database, or pass --clean to replace them`,
    );
  }
  if (!clean) return [];
  const types = await names(
    client,
    `SELECT t.typname AS name FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = $1 AND t.typtype = 'e' AND t.typname LIKE $2 ORDER BY 1`,
    schema,
  );
  const qualify = (name: string): string => quoteQualified(schema, name);
  // CASCADE: foreign keys between the tables, and views or sequences that depend on them, go too.
  if (tables.length > 0) await client.query(`DROP TABLE ${tables.map(qualify).join(', ')} CASCADE`);
  if (types.length > 0) await client.query(`DROP TYPE ${types.map(qualify).join(', ')} CASCADE`);
  return [...tables, ...types];
}

async function names(client: pg.Client, sql: string, schema: string): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(sql, [schema, PREFIX]);
  return rows.map((r) => r.name);
}
