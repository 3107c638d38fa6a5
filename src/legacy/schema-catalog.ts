/**
 * Reads one legacy workspace schema from pg_catalog, inside the caller's snapshot, with
 * search_path set to that schema: definitions then print names of the schema unqualified, so
 * the dump can replay them into any target schema by name resolution instead of rewriting text.
 */
import type pg from 'pg';
import { ExporterError } from '../errors.js';

export interface EnumType {
  name: string;
  labels: string[];
}

export interface Column {
  name: string;
  type: string;
  default: string | null;
  notNull: boolean;
  collation: string | null;
  generated: string | null;
  comment: string | null;
}

export interface Constraint {
  name: string;
  /** p primary key, u unique, c check, f foreign key, x exclusion */
  kind: 'p' | 'u' | 'c' | 'f' | 'x';
  definition: string;
}

export interface Index {
  name: string;
  unique: boolean;
  /** Everything after `USING `: access method, key columns, INCLUDE, WITH, WHERE. */
  method: string;
}

export interface Table {
  oid: number;
  name: string;
  columns: Column[];
  constraints: Constraint[];
  /** Indexes that do not back a constraint. */
  indexes: Index[];
  comment: string | null;
}

export interface SchemaCatalog {
  schema: string;
  enums: EnumType[];
  tables: Table[];
}

interface ColumnRow {
  table_oid: number;
  name: string;
  type: string;
  default: string | null;
  not_null: boolean;
  collation: string | null;
  generated: string;
  comment: string | null;
}

async function unsupportedObjects(client: pg.Client, schemaOid: number): Promise<string[]> {
  const { rows } = await client.query<{ what: string }>(
    `SELECT CASE c.relkind WHEN 'S' THEN 'sequence' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view'
              WHEN 'p' THEN 'partitioned table' WHEN 'f' THEN 'foreign table' ELSE 'relation' END || ' ' || c.relname AS what
       FROM pg_catalog.pg_class c WHERE c.relnamespace = $1 AND c.relkind NOT IN ('r', 'i', 'c', 't')
     UNION ALL
     SELECT 'function ' || p.proname FROM pg_catalog.pg_proc p WHERE p.pronamespace = $1
     UNION ALL
     SELECT CASE t.typtype WHEN 'd' THEN 'domain ' WHEN 'c' THEN 'composite type ' ELSE 'type ' END || t.typname
       FROM pg_catalog.pg_type t
      WHERE t.typnamespace = $1
        AND (t.typtype IN ('d', 'r', 'm') OR (t.typtype = 'b' AND t.typcategory <> 'A')
             OR (t.typtype = 'c' AND EXISTS (SELECT 1 FROM pg_catalog.pg_class r WHERE r.oid = t.typrelid AND r.relkind = 'c')))
     UNION ALL
     SELECT 'trigger ' || tg.tgname FROM pg_catalog.pg_trigger tg JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
      WHERE c.relnamespace = $1 AND NOT tg.tgisinternal
     UNION ALL
     SELECT 'inheritance ' || c.relname FROM pg_catalog.pg_inherits i JOIN pg_catalog.pg_class c ON c.oid = i.inhrelid
      WHERE c.relnamespace = $1
     ORDER BY 1`,
    [schemaOid],
  );
  return rows.map((r) => r.what);
}

function indexDefinition(row: { name: string; unique: boolean; full: string; head: string }): Index {
  if (!row.full.startsWith(row.head)) {
    throw new ExporterError('WORKSPACE_UNSUPPORTED', `index ${row.name} has a definition this exporter cannot carry: ${row.full}`);
  }
  return { name: row.name, unique: row.unique, method: row.full.slice(row.head.length) };
}

export async function readSchemaCatalog(client: pg.Client, schema: string): Promise<SchemaCatalog> {
  const ns = await client.query<{ oid: number }>('SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = $1', [schema]);
  const schemaOid = ns.rows[0]?.oid;
  if (schemaOid === undefined) {
    throw new ExporterError('WORKSPACE_NOT_FOUND', `the workspace data schema "${schema}" does not exist in its database`);
  }
  const unsupported = await unsupportedObjects(client, schemaOid);
  if (unsupported.length > 0) {
    throw new ExporterError(
      'WORKSPACE_UNSUPPORTED',
      `the workspace schema holds objects a Fief workspace never has and this exporter does not carry: ${unsupported.join(', ')}`,
    );
  }

  const enums = await client.query<{ name: string; labels: string[] }>(
    `SELECT t.typname AS name, array_agg(e.enumlabel ORDER BY e.enumsortorder)::text[] AS labels
       FROM pg_catalog.pg_type t JOIN pg_catalog.pg_enum e ON e.enumtypid = t.oid
      WHERE t.typnamespace = $1 GROUP BY t.typname ORDER BY t.typname`,
    [schemaOid],
  );

  const tables = await client.query<{ oid: number; name: string; comment: string | null }>(
    `SELECT c.oid, c.relname AS name, pg_catalog.obj_description(c.oid, 'pg_class') AS comment
       FROM pg_catalog.pg_class c WHERE c.relnamespace = $1 AND c.relkind = 'r' ORDER BY c.relname`,
    [schemaOid],
  );

  const columns = await client.query<ColumnRow>(
    `SELECT a.attrelid AS table_oid, a.attname AS name, pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
            pg_catalog.pg_get_expr(d.adbin, d.adrelid) AS default, a.attnotnull AS not_null,
            CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0
                 THEN (SELECT pg_catalog.quote_ident(co.collname) FROM pg_catalog.pg_collation co WHERE co.oid = a.attcollation) END AS collation,
            a.attgenerated AS generated, pg_catalog.col_description(a.attrelid, a.attnum) AS comment
       FROM pg_catalog.pg_attribute a
       JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
       JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE c.relnamespace = $1 AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attrelid, a.attnum`,
    [schemaOid],
  );

  const constraints = await client.query<{ table_oid: number; name: string; kind: Constraint['kind']; definition: string }>(
    `SELECT co.conrelid AS table_oid, co.conname AS name, co.contype AS kind,
            pg_catalog.pg_get_constraintdef(co.oid) AS definition
       FROM pg_catalog.pg_constraint co JOIN pg_catalog.pg_class c ON c.oid = co.conrelid
      WHERE c.relnamespace = $1 AND co.contype IN ('p', 'u', 'c', 'f', 'x')
      ORDER BY co.conrelid, co.conname`,
    [schemaOid],
  );

  // pg_get_indexdef always schema-qualifies the table (unlike the rest, which honours
  // search_path), so we take the definition apart at that known position: `head` is exactly
  // what precedes USING, checked below, and only the part after it is carried.
  const indexes = await client.query<{ table_oid: number; name: string; unique: boolean; full: string; head: string }>(
    `SELECT i.indrelid AS table_oid, ic.relname AS name, i.indisunique AS unique,
            pg_catalog.pg_get_indexdef(i.indexrelid) AS full,
            'CREATE ' || CASE WHEN i.indisunique THEN 'UNIQUE ' ELSE '' END || 'INDEX ' || pg_catalog.quote_ident(ic.relname)
              || ' ON ' || pg_catalog.quote_ident(n.nspname) || '.' || pg_catalog.quote_ident(tc.relname) || ' USING ' AS head
       FROM pg_catalog.pg_index i JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_catalog.pg_class tc ON tc.oid = i.indrelid JOIN pg_catalog.pg_namespace n ON n.oid = tc.relnamespace
      WHERE ic.relnamespace = $1
        AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint co
                         WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))
      ORDER BY ic.relname`,
    [schemaOid],
  );

  return {
    schema,
    enums: enums.rows,
    tables: tables.rows.map((t) => ({
      oid: t.oid,
      name: t.name,
      comment: t.comment,
      columns: columns.rows
        .filter((c) => c.table_oid === t.oid)
        .map((c) => ({
          name: c.name,
          type: c.type,
          default: c.default,
          notNull: c.not_null,
          collation: c.collation,
          generated: c.generated === '' ? null : c.default,
          comment: c.comment,
        })),
      constraints: constraints.rows.filter((c) => c.table_oid === t.oid).map(({ name, kind, definition }) => ({ name, kind, definition })),
      indexes: indexes.rows.filter((i) => i.table_oid === t.oid).map(indexDefinition),
    })),
  };
}
