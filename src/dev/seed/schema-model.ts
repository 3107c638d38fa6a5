/**
 * A small description language for the legacy Fief tables, and the DDL it renders.
 *
 * The DDL is emitted without schema qualification and is meant to run inside a transaction
 * whose search_path is the target schema (`SELECT set_config('search_path', ..., true)`), so the
 * same description builds a workspace in `"<uuid>"` or in a BYOD database's `public`.
 * It is split pg_dump-style into `tables` (types + CREATE TABLE, before the data) and
 * `constraints` (keys, indexes, foreign keys, after the data) so bulk loads skip index upkeep;
 * the resulting catalog is the same as if everything had been created up front.
 */
import { quoteIdent, quoteLiteral } from '../../db/connection.js';

export interface ColumnDef {
  name: string;
  /** SQL type as format_type prints it; enum types are unqualified names in the target schema. */
  type: string;
  notNull: boolean;
  default?: string;
}

export interface ForeignKeyDef {
  column: string;
  table: string;
  onDelete: 'CASCADE' | 'SET NULL';
  /** Only when PostgreSQL's default name (<table>_<column>_fkey) was not what Fief got. */
  name?: string;
}

export interface IndexDef {
  column: string;
  unique?: boolean;
}

export interface TableDef {
  name: string;
  columns: ColumnDef[];
  primaryKey: string[];
  primaryKeyName?: string;
  /** UNIQUE constraints, named <table>_<cols>_key as PostgreSQL does. */
  uniques?: string[][];
  foreignKeys?: ForeignKeyDef[];
  /** Alembic-style single-column indexes, named ix_<table>_<column>. */
  indexes?: IndexDef[];
}

export interface EnumDef {
  name: string;
  labels: string[];
}

export interface SchemaDef {
  enums: EnumDef[];
  tables: TableDef[];
}

export interface RenderedDdl {
  /** CREATE TYPE and CREATE TABLE: run before loading data. */
  tables: string[];
  /** Primary keys, uniques, indexes, then foreign keys: run after loading data. */
  constraints: string[];
}

const q = quoteIdent;

function columnSql(c: ColumnDef): string {
  return `${q(c.name)} ${c.type}${c.default !== undefined ? ` DEFAULT ${c.default}` : ''}${c.notNull ? ' NOT NULL' : ''}`;
}

export function renderDdl(schema: SchemaDef): RenderedDdl {
  const tables: string[] = [];
  const keys: string[] = [];
  const indexes: string[] = [];
  const fks: string[] = [];
  for (const e of schema.enums) {
    tables.push(`CREATE TYPE ${q(e.name)} AS ENUM (${e.labels.map(quoteLiteral).join(', ')})`);
  }
  for (const t of schema.tables) {
    tables.push(`CREATE TABLE ${q(t.name)} (\n    ${t.columns.map(columnSql).join(',\n    ')}\n)`);
    const pkName = t.primaryKeyName ?? `${t.name}_pkey`;
    keys.push(`ALTER TABLE ONLY ${q(t.name)} ADD CONSTRAINT ${q(pkName)} PRIMARY KEY (${t.primaryKey.map(q).join(', ')})`);
    for (const cols of t.uniques ?? []) {
      const name = `${t.name}_${cols.join('_')}_key`;
      keys.push(`ALTER TABLE ONLY ${q(t.name)} ADD CONSTRAINT ${q(name)} UNIQUE (${cols.map(q).join(', ')})`);
    }
    for (const ix of t.indexes ?? []) {
      const name = `ix_${t.name}_${ix.column}`;
      indexes.push(`CREATE ${ix.unique ? 'UNIQUE ' : ''}INDEX ${q(name)} ON ${q(t.name)} USING btree (${q(ix.column)})`);
    }
    for (const fk of t.foreignKeys ?? []) {
      const name = fk.name ?? `${t.name}_${fk.column}_fkey`;
      fks.push(
        `ALTER TABLE ONLY ${q(t.name)} ADD CONSTRAINT ${q(name)} FOREIGN KEY (${q(fk.column)}) ` +
          `REFERENCES ${q(fk.table)}(id) ON DELETE ${fk.onDelete}`,
      );
    }
  }
  return { tables, constraints: [...keys, ...indexes, ...fks] };
}

// Shorthands for the descriptions: most Fief columns are one of a handful of shapes.
export const col = (name: string, type: string, notNull = true, dflt?: string): ColumnDef =>
  dflt === undefined ? { name, type, notNull } : { name, type, notNull, default: dflt };
export const varchar = (name: string, len = 255, notNull = true): ColumnDef => col(name, `character varying(${len})`, notNull);
export const uuid = (name: string, notNull = true): ColumnDef => col(name, 'uuid', notNull);
export const tstz = (name: string, notNull = true): ColumnDef => col(name, 'timestamp with time zone', notNull);
/** created_at / updated_at, which Fief's models always declare with server_default now(). */
export const stamp = (name: 'created_at' | 'updated_at'): ColumnDef => col(name, 'timestamp with time zone', true, 'now()');
