/**
 * What moving schema "<id>" into `public` involves, read from pg_catalog rather than from a
 * fixed list: every table and every enum type the schema holds (the official recipe moves the
 * tables only and strands `fief_acr`, `fief_clienttype` and `fief_userfieldtype`), what in
 * `public` would clash, and what would stay behind.
 */
import type pg from 'pg';
import { quoteIdent } from '../db/connection.js';

export const TARGET_SCHEMA = 'public';
/** Fief's enum types: one of them in `public` means a workspace (or a fresh Fief) already lives there. */
export const FIEF_ENUM_TYPES = ['fief_acr', 'fief_clienttype', 'fief_userfieldtype'];

export interface CatalogObject {
  oid: number;
  name: string;
}

export interface PgMovePlan {
  schema: string;
  tables: CatalogObject[];
  types: CatalogObject[];
  /** Objects in `public` that forbid the move, described for a person. */
  clashes: string[];
  /** Objects that would remain in the schema once the tables and types have moved. */
  leftovers: string[];
}

export async function schemaOid(client: pg.ClientBase, schema: string): Promise<number | null> {
  const { rows } = await client.query<{ oid: number }>('SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1', [schema]);
  return rows[0]?.oid ?? null;
}

/**
 * Everything that records a dependency on the schema (tables, types, views, functions...:
 * exactly what DROP SCHEMA ... RESTRICT would trip on), minus the objects we are moving.
 * Indexes, row types, array types and owned sequences depend on their table or type, so they
 * move with it and never show up here.
 */
export async function objectsLeftIn(client: pg.ClientBase, nsp: number, movingTables: number[] = [], movingTypes: number[] = []): Promise<string[]> {
  const { rows } = await client.query<{ what: string }>(
    `SELECT pg_catalog.pg_describe_object(d.classid, d.objid, d.objsubid) AS what
       FROM pg_catalog.pg_depend d
      WHERE d.refclassid = 'pg_catalog.pg_namespace'::regclass AND d.refobjid = $1
        AND NOT (d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = ANY($2::oid[]))
        AND NOT (d.classid = 'pg_catalog.pg_type'::regclass AND d.objid = ANY($3::oid[]))
      ORDER BY 1`,
    [nsp, movingTables, movingTypes],
  );
  return rows.map((r) => r.what);
}

export async function readMovePlan(client: pg.ClientBase, schema: string, nsp: number, target: number): Promise<PgMovePlan> {
  const tables = await client.query<CatalogObject>(
    `SELECT c.oid, c.relname AS name FROM pg_catalog.pg_class c
      WHERE c.relnamespace = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname`,
    [nsp],
  );
  const types = await client.query<CatalogObject>(
    `SELECT t.oid, t.typname AS name FROM pg_catalog.pg_type t WHERE t.typnamespace = $1 AND t.typtype = 'e' ORDER BY t.typname`,
    [nsp],
  );
  // A name taken in `public` by any relation the move brings along (tables, their indexes and
  // sequences) or any type it brings (enums, row types) would make SET SCHEMA fail; any fief_
  // table or Fief enum type at all means another Fief database already lives there.
  const clashes = await client.query<{ what: string }>(
    `SELECT CASE WHEN c.relkind IN ('r', 'p') THEN 1 ELSE 3 END AS rank,
            CASE WHEN c.relkind IN ('r', 'p') THEN 'table ' ELSE 'relation ' END || c.relname AS what
       FROM pg_catalog.pg_class c
      WHERE c.relnamespace = $2
        AND ((c.relkind IN ('r', 'p') AND c.relname LIKE 'fief\\_%')
             OR c.relname IN (SELECT s.relname FROM pg_catalog.pg_class s WHERE s.relnamespace = $1))
     UNION
     SELECT 2, 'type ' || t.typname FROM pg_catalog.pg_type t
      WHERE t.typnamespace = $2 AND t.typrelid = 0
        AND (t.typname = ANY($3::text[]) OR t.typname IN (SELECT s.typname FROM pg_catalog.pg_type s WHERE s.typnamespace = $1))
      ORDER BY 1, 2`,
    [nsp, target, FIEF_ENUM_TYPES],
  );
  const leftovers = await objectsLeftIn(
    client,
    nsp,
    tables.rows.map((t) => t.oid),
    types.rows.map((t) => t.oid),
  );
  return { schema, tables: tables.rows, types: types.rows, clashes: clashes.rows.map((r) => r.what), leftovers };
}

export function moveStatements(plan: PgMovePlan): string[] {
  const from = (name: string): string => `${quoteIdent(plan.schema)}.${quoteIdent(name)}`;
  return [
    ...plan.tables.map((t) => `ALTER TABLE ${from(t.name)} SET SCHEMA ${TARGET_SCHEMA};`),
    ...plan.types.map((t) => `ALTER TYPE ${from(t.name)} SET SCHEMA ${TARGET_SCHEMA};`),
  ];
}

/** RESTRICT: if anything is still in the schema, the drop fails instead of taking it along. */
export function dropSchemaStatement(schema: string): string {
  return `DROP SCHEMA ${quoteIdent(schema)} RESTRICT;`;
}
