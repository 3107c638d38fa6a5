/**
 * Builds one workspace's data schema: types and tables, the data streamed in with COPY, then
 * keys, indexes and foreign keys (as pg_dump orders a restore, so loads skip index upkeep),
 * all in one transaction so a failure leaves nothing half-built.
 */
import type pg from 'pg';
import { quoteIdent, withTransaction } from '../../db/connection.js';
import { countOf } from '../../format.js';
import { copyRows } from './copy.js';
import { renderDdl } from './schema-model.js';
import { workspaceSchema, type WorkspaceVariant } from './workspace-schema.js';
import type { TableGenerator, WorkspaceDataContext } from './data-context.js';
import { CONFIG_GENERATORS } from './data-config.js';
import { USER_GENERATORS } from './data-users.js';
import { SESSION_GENERATORS } from './data-sessions.js';

const GENERATORS: Record<string, TableGenerator> = { ...CONFIG_GENERATORS, ...USER_GENERATORS, ...SESSION_GENERATORS };

const seconds = (since: number): string => ((Date.now() - since) / 1000).toFixed(1);

export async function buildWorkspaceSchema(
  client: pg.Client,
  schema: string,
  variant: WorkspaceVariant,
  ctx: WorkspaceDataContext,
  onProgress?: (msg: string) => void,
): Promise<Record<string, number>> {
  const def = workspaceSchema(variant);
  const ddl = renderDdl(def);
  const rowCounts: Record<string, number> = {};
  await withTransaction(client, async () => {
    if (schema !== 'public') await client.query(`CREATE SCHEMA ${quoteIdent(schema)}`);
    // search_path takes a list of identifiers: quote, or a UUID with hyphens would be misread.
    await client.query(
      `SELECT set_config('search_path', $1, true), set_config('maintenance_work_mem', '256MB', true),
              set_config('synchronous_commit', 'off', true)`,
      [quoteIdent(schema)],
    );
    for (const statement of ddl.tables) await client.query(statement);
    const started = Date.now();
    let total = 0;
    for (const table of def.tables) {
      const generate = GENERATORS[table.name];
      if (!generate) throw new Error(`no fixture generator for ${table.name}`);
      const t0 = Date.now();
      const rows = await copyRows(client, table.name, table.columns.map((c) => c.name), generate(ctx));
      rowCounts[table.name] = rows;
      total += rows;
      // Only the big tables are worth a line of their own.
      if (rows >= 10_000) onProgress?.(`  ${table.name}: ${countOf(rows, 'row')} in ${seconds(t0)} s`);
    }
    onProgress?.(`  ${countOf(total, 'row')} in ${countOf(def.tables.length, 'table')} in ${seconds(started)} s; adding keys, indexes and foreign keys`);
    for (const statement of ddl.constraints) await client.query(statement);
  });
  return rowCounts;
}
