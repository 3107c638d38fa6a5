/**
 * The one short transaction of a parallel load: the target's checks (and `--clean`) as in the
 * single-transaction path, every staged type and table moved into the target with SET SCHEMA
 * (catalog only: indexes, constraints and owned sequences go with their table, array types with
 * their type), the dump's verification, and the staging schema dropped without CASCADE, so
 * anything that was not moved stops the import instead of being lost. Only then COMMIT.
 */
import type pg from 'pg';
import { quoteIdent } from '../../db/connection.js';
import { prepareTarget } from '../target.js';

interface Moved {
  kind: 'TYPE' | 'TABLE' | 'SEQUENCE';
  name: string;
}

/** Types (enums, domains, standalone composites), tables, and sequences no table owns. */
const STAGED = `
  SELECT 'TYPE' AS kind, t.typname AS name, 1 AS ord FROM pg_catalog.pg_type t
   WHERE t.typnamespace = $1::regnamespace AND (t.typtype IN ('e', 'd')
      OR (t.typtype = 'c' AND (SELECT c.relkind FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid) = 'c'))
  UNION ALL
  SELECT CASE c.relkind WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END, c.relname, 2 FROM pg_catalog.pg_class c
   WHERE c.relnamespace = $1::regnamespace AND (c.relkind IN ('r', 'p')
      OR (c.relkind = 'S' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d
           WHERE d.classid = 'pg_catalog.pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a', 'i'))))
  ORDER BY ord, name`;

/** Runs `verify` (throws on a mismatch) inside the transaction, before COMMIT. Returns what --clean dropped. */
export interface MovePlan {
  staging: string;
  target: string;
  /** The dump's `CREATE SCHEMA IF NOT EXISTS` for its target, if it has one. */
  createSchema: string | null;
  clean: boolean;
}

export async function moveIntoTarget(client: pg.Client, plan: MovePlan, verify: () => void): Promise<string[]> {
  const { staging, target, clean } = plan;
  await client.query('BEGIN');
  try {
    if (plan.createSchema) await client.query(plan.createSchema);
    const dropped = await prepareTarget(client, target, clean);
    const { rows } = await client.query<Moved>(STAGED, [quoteIdent(staging)]);
    if (rows.length > 0) {
      const to = quoteIdent(target);
      await client.query(rows.map((r) => `ALTER ${r.kind} ${quoteIdent(staging)}.${quoteIdent(r.name)} SET SCHEMA ${to};`).join('\n'));
    }
    verify();
    await client.query(`DROP SCHEMA ${quoteIdent(staging)}`);
    await client.query('COMMIT');
    return dropped;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
