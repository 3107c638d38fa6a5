/**
 * The observable state of a whole database as one JSON value: its catalog (every user object,
 * rendered by the server's own pg_get_*def functions so two databases compare by text) and a
 * digest of every table's rows and every sequence's position. Two databases loaded from the
 * same script, or one database before and after a failed import, must compare equal.
 */
import pg from 'pg';

const USER_NSP = `n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp%'`;

const CATALOG: Record<string, string> = {
  schemas: `SELECT n.nspname AS name, pg_get_userbyid(n.nspowner) AS owner FROM pg_namespace n WHERE ${USER_NSP} ORDER BY 1`,
  relations: `SELECT n.nspname || '.' || c.relname AS name, c.relkind AS kind, c.relpersistence AS persistence, pg_get_userbyid(c.relowner) AS owner
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NSP} ORDER BY 1`,
  columns: `SELECT c.oid::regclass::text AS rel, a.attnum AS num, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
        a.attnotnull AS not_null, a.attidentity AS identity, a.attgenerated AS generated, pg_get_expr(d.adbin, d.adrelid) AS default
      FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
      WHERE ${USER_NSP} AND a.attnum > 0 AND NOT a.attisdropped ORDER BY 1, 2`,
  constraints: `SELECT conrelid::regclass::text AS rel, contypid::regtype::text AS domain, conname AS name, pg_get_constraintdef(co.oid) AS def
      FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace WHERE ${USER_NSP} ORDER BY 1, 2, 3`,
  indexes: `SELECT n.nspname || '.' || c.relname AS name, pg_get_indexdef(c.oid) AS def
      FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NSP} ORDER BY 1`,
  views: `SELECT c.oid::regclass::text AS name, pg_get_viewdef(c.oid) AS def FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE ${USER_NSP} AND c.relkind IN ('v', 'm') ORDER BY 1`,
  routines: `SELECT p.oid::regprocedure::text AS name, p.prokind AS kind,
        CASE WHEN p.prokind IN ('f', 'p') THEN pg_get_functiondef(p.oid) END AS def
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE ${USER_NSP} ORDER BY 1`,
  types: `SELECT t.oid::regtype::text AS name, t.typtype AS kind, format_type(t.typbasetype, t.typtypmod) AS base, t.typnotnull AS not_null,
        pg_get_expr(t.typdefaultbin, 0) AS default,
        (SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid) AS labels
      FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE ${USER_NSP} AND t.typtype IN ('e', 'd', 'c') AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c') ORDER BY 1`,
  triggers: `SELECT tgrelid::regclass::text AS rel, tgname AS name, pg_get_triggerdef(t.oid) AS def FROM pg_trigger t
      JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace WHERE ${USER_NSP} AND NOT t.tgisinternal ORDER BY 1, 2`,
  comments: `SELECT pg_describe_object(d.classoid, d.objoid, d.objsubid) AS object, d.description AS text FROM pg_description d
      WHERE d.objoid >= 16384 ORDER BY 1`,
  sequences: `SELECT schemaname || '.' || sequencename AS name, data_type::text AS type, start_value::text AS start, increment_by::text AS step,
        last_value::text AS last FROM pg_sequences ORDER BY 1`,
};

export type DbState = Record<string, unknown[]>;

export async function captureDbState(url: string): Promise<DbState> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Fixed output settings, so values render the same way in every database.
    await client.query(`SET TimeZone = 'UTC'; SET DateStyle = 'ISO, MDY'; SET extra_float_digits = 1; SET search_path = ''`);
    const state: DbState = {};
    for (const [name, sql] of Object.entries(CATALOG)) state[name] = (await client.query(sql)).rows;
    const tables = await client.query<{ rel: string }>(
      `SELECT c.oid::regclass::text AS rel FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE ${USER_NSP} AND c.relkind IN ('r', 'p', 'm') ORDER BY 1`,
    );
    const data: unknown[] = [];
    for (const { rel } of tables.rows) {
      const { rows } = await client.query(
        `SELECT count(*)::int AS rows, coalesce(md5(string_agg(x, E'\\n' ORDER BY x)), '') AS digest FROM (SELECT t::text AS x FROM ${rel} t) s`,
      );
      data.push({ rel, ...rows[0] });
    }
    state.data = data;
    return state;
  } finally {
    await client.end();
  }
}
