/**
 * A normalised, JSON-serialisable description of one schema, so a source workspace schema
 * and an imported `public` can be compared with a plain deep-equality.
 *
 * Everything is rendered inside a transaction whose search_path is the schema itself:
 * PostgreSQL then prints names from that schema unqualified (`REFERENCES fief_users(id)`,
 * `'confidential'::fief_clienttype`), so the output does not depend on the schema's name.
 */
import type pg from 'pg';
import { quoteIdent } from '../../src/db/connection.js';

export interface ColumnSnapshot {
  name: string;
  type: string;
  default: string | null;
  notNull: boolean;
}

export interface ConstraintSnapshot {
  name: string;
  type: string;
  definition: string;
}

export interface IndexSnapshot {
  name: string;
  definition: string;
}

export interface TableSnapshot {
  name: string;
  columns: ColumnSnapshot[];
  constraints: ConstraintSnapshot[];
  /** Indexes that do not back a constraint (those are described by the constraint). */
  indexes: IndexSnapshot[];
}

export interface SchemaSnapshot {
  enums: { name: string; labels: string[] }[];
  tables: TableSnapshot[];
  sequences: number;
  views: number;
  functions: number;
  triggers: number;
  /** Types other than enums and the row/array types tables bring (domains, composites...). */
  otherTypes: number;
}

/**
 * Runs `fn` in a read-only transaction whose search_path is `schema` and whose output settings
 * are fixed. It opens and ends its own transaction: do not call it inside one.
 */
async function inSchema<T>(client: pg.Client, schema: string, fn: (nsp: number) => Promise<T>): Promise<T> {
  await client.query('BEGIN READ ONLY');
  try {
    await client.query(
      `SELECT set_config('search_path', $1, true), set_config('TimeZone', 'UTC', true),
              set_config('DateStyle', 'ISO, MDY', true), set_config('IntervalStyle', 'postgres', true),
              set_config('extra_float_digits', '1', true), set_config('bytea_output', 'hex', true)`,
      [quoteIdent(schema)],
    );
    const ns = await client.query<{ oid: number }>('SELECT oid FROM pg_namespace WHERE nspname = $1', [schema]);
    const nsp = ns.rows[0]?.oid;
    if (nsp === undefined) throw new Error(`schema ${schema} does not exist`);
    const result = await fn(nsp);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** PostgreSQL's own quote_ident (quotes only when needed), as ruleutils prints names. */
async function pgQuoteIdent(client: pg.Client, name: string): Promise<string> {
  const r = await client.query<{ q: string }>('SELECT quote_ident($1) AS q', [name]);
  return r.rows[0]?.q ?? name;
}

async function count(client: pg.Client, sql: string, nsp: number): Promise<number> {
  const r = await client.query<{ n: number }>(sql, [nsp]);
  return r.rows[0]?.n ?? 0;
}

export async function snapshotSchema(client: pg.Client, schema: string): Promise<SchemaSnapshot> {
  return inSchema(client, schema, async (nsp) => {
    const enums = await client.query<{ name: string; labels: string[] }>(
      `SELECT t.typname AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS labels
         FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE t.typnamespace = $1 GROUP BY t.typname ORDER BY t.typname COLLATE "C"`,
      [nsp],
    );
    const tables = await client.query<{ oid: number; name: string }>(
      `SELECT oid, relname AS name FROM pg_class WHERE relnamespace = $1 AND relkind IN ('r', 'p')
        ORDER BY relname COLLATE "C"`,
      [nsp],
    );
    const columns = await client.query<ColumnSnapshot & { rel: number }>(
      `SELECT a.attrelid AS rel, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
              pg_get_expr(d.adbin, d.adrelid) AS default, a.attnotnull AS "notNull"
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
        WHERE c.relnamespace = $1 AND c.relkind IN ('r', 'p') AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attrelid, a.attnum`,
      [nsp],
    );
    const constraints = await client.query<ConstraintSnapshot & { rel: number }>(
      `SELECT co.conrelid AS rel, co.conname AS name, co.contype::text AS type,
              pg_get_constraintdef(co.oid) AS definition
         FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
        WHERE c.relnamespace = $1 ORDER BY co.conname COLLATE "C"`,
      [nsp],
    );
    const indexes = await client.query<IndexSnapshot & { rel: number }>(
      `SELECT i.indrelid AS rel, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
         FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        WHERE ic.relnamespace = $1
          AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid AND co.conrelid = i.indrelid)
        ORDER BY ic.relname COLLATE "C"`,
      [nsp],
    );
    // pg_get_indexdef always schema-qualifies the table (CVE-2018-1058 hardening), whatever the
    // search_path: drop that one qualifier so the definition reads the same in any schema.
    const qualified = ` ON ${await pgQuoteIdent(client, schema)}.`;
    for (const ix of indexes.rows) {
      const at = ix.definition.indexOf(qualified);
      if (at >= 0) ix.definition = ix.definition.slice(0, at) + ' ON ' + ix.definition.slice(at + qualified.length);
    }
    const strip = <R extends { rel: number }>(rows: R[], rel: number): Omit<R, 'rel'>[] =>
      rows.filter((r) => r.rel === rel).map(({ rel: _rel, ...rest }) => rest);
    return {
      enums: enums.rows.map((e) => ({ name: e.name, labels: e.labels })),
      tables: tables.rows.map((t) => ({
        name: t.name,
        columns: strip(columns.rows, t.oid),
        constraints: strip(constraints.rows, t.oid),
        indexes: strip(indexes.rows, t.oid),
      })),
      sequences: await count(client, `SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = $1 AND relkind = 'S'`, nsp),
      views: await count(client, `SELECT count(*)::int AS n FROM pg_class WHERE relnamespace = $1 AND relkind IN ('v', 'm')`, nsp),
      functions: await count(client, 'SELECT count(*)::int AS n FROM pg_proc WHERE pronamespace = $1', nsp),
      triggers: await count(
        client,
        `SELECT count(*)::int AS n FROM pg_trigger tg JOIN pg_class c ON c.oid = tg.tgrelid
          WHERE c.relnamespace = $1 AND NOT tg.tgisinternal`,
        nsp,
      ),
      otherTypes: await count(
        client,
        `SELECT count(*)::int AS n FROM pg_type t
          WHERE t.typnamespace = $1 AND t.typtype <> 'e' AND t.typrelid = 0
            AND NOT (t.typcategory = 'A' AND EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem
                     AND (e.typtype = 'e' OR e.typrelid <> 0)))`,
        nsp,
      ),
    };
  });
}

export async function tableNames(client: pg.Client, schema: string): Promise<string[]> {
  const r = await client.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') ORDER BY c.relname COLLATE "C"`,
    [schema],
  );
  return r.rows.map((row) => row.name);
}

/**
 * Row count and an order-independent digest of a table's content: md5 over the sorted list of
 * md5(row-as-text) of the kept columns. Output settings are pinned so timestamps render alike
 * on both sides; `excludeColumns` drops columns an export legitimately changes (re-encrypted tokens).
 */
export async function rowDigests(
  client: pg.Client,
  schema: string,
  table: string,
  excludeColumns: string[] = [],
): Promise<{ count: number; digest: string }> {
  return inSchema(client, schema, async (nsp) => {
    const cols = await client.query<{ name: string }>(
      `SELECT a.attname AS name FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relnamespace = $1 AND c.relname = $2 AND a.attnum > 0 AND NOT a.attisdropped
        ORDER BY a.attnum`,
      [nsp, table],
    );
    const kept = cols.rows.map((c) => c.name).filter((n) => !excludeColumns.includes(n));
    if (cols.rows.length === 0) throw new Error(`table ${schema}.${table} does not exist`);
    if (kept.length === 0) throw new Error(`every column of ${table} is excluded`);
    // ROW(...) of one column still renders as "(value)", so one and many columns behave alike.
    const row = `ROW(${kept.map((n) => `t.${quoteIdent(n)}`).join(', ')})::text`;
    const r = await client.query<{ count: number; digest: string }>(
      `SELECT count(*)::int AS count, md5(coalesce(string_agg(h, '' ORDER BY h COLLATE "C"), '')) AS digest
         FROM (SELECT md5(${row}) AS h FROM ${quoteIdent(schema)}.${quoteIdent(table)} t) s`,
    );
    const first = r.rows[0];
    if (!first) throw new Error('no result');
    return { count: first.count, digest: first.digest };
  });
}
