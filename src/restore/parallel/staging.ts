/**
 * The private schema a parallel load fills before one short transaction moves everything into
 * the target. It is unmistakably ours: a `fief_exporter_staging_<random>` name AND a comment
 * naming fief-exporter, both checked before anything is dropped. While a load runs, its
 * coordinator session holds an advisory lock on the schema's name; a staging schema whose lock
 * nobody holds was left by a killed run (its sessions ended with it) and is dropped by the next.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent, quoteLiteral } from '../../db/connection.js';

const STAGING_PREFIX = 'fief_exporter_staging_';
const MARKER = 'fief-exporter import staging schema: safe to drop when no import is running';
/** First key of our advisory locks ("FIEF" in ASCII), so they do not collide with others'. */
const LOCK_SPACE = 0x46494546;

export function newStagingName(): string {
  return `${STAGING_PREFIX}${randomBytes(6).toString('hex')}`;
}

/** Creates the schema and takes its lock on the coordinator session (released when it ends). */
export async function createStaging(client: pg.Client, name: string): Promise<void> {
  await client.query('SELECT pg_advisory_lock($1, hashtext($2))', [LOCK_SPACE, name]);
  await client.query(`CREATE SCHEMA ${quoteIdent(name)}`);
  await client.query(`COMMENT ON SCHEMA ${quoteIdent(name)} IS ${quoteLiteral(MARKER)}`);
  // The dump's definitions name its types and tables unqualified: they resolve in here.
  await client.query("SELECT pg_catalog.set_config('search_path', $1, false)", [quoteIdent(name)]);
}

/**
 * Drops staging schemas of ours that no running import holds. Returns their names, for the
 * message. A schema with our prefix but without our comment is someone else's: left alone.
 */
export async function dropAbandonedStaging(client: pg.Client): Promise<string[]> {
  const { rows } = await client.query<{ name: string }>(
    `SELECT n.nspname AS name FROM pg_catalog.pg_namespace n
      WHERE n.nspname LIKE $1 AND pg_catalog.obj_description(n.oid, 'pg_namespace') = $2 ORDER BY 1`,
    [`${STAGING_PREFIX.replace(/_/g, '\\_')}%`, MARKER],
  );
  const dropped: string[] = [];
  for (const { name } of rows) {
    const { rows: lock } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, hashtext($2)) AS ok', [LOCK_SPACE, name]);
    if (!lock[0]?.ok) continue; // another import is using it right now
    try {
      await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(name)} CASCADE`);
      dropped.push(name);
    } finally {
      await client.query('SELECT pg_advisory_unlock($1, hashtext($2))', [LOCK_SPACE, name]);
    }
  }
  return dropped;
}

/** Best effort after a failure: removes this run's schema if it still exists. */
export async function dropStaging(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP SCHEMA IF EXISTS ${quoteIdent(name)} CASCADE`);
}
