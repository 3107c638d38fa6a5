/**
 * openWorkspaceDump: look up, locate, snapshot and pre-flight a workspace, then hand back a
 * stream of its dump. Everything that can fail for a predictable reason fails before the
 * first byte, so callers (CLI, web) can still answer with a proper error.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type pg from 'pg';
import { generateKey, Fernet } from '../crypto/fernet.js';
import { type ClientConfig, quoteIdent, toExporterError, withClient } from '../db/connection.js';
import { dumpSocket } from '../db/reused-read-socket.js';
import { ExporterError } from '../errors.js';
import { locateWorkspace } from '../legacy/locate.js';
import { getWorkspace, type WorkspaceRecord } from '../legacy/workspaces.js';
import { VERSION } from '../version.js';
import { importRecipe } from '../import-recipe.js';
import { dumpFileName, dumpFileNameUtf8 } from './filename.js';
import { HOLD_BUDGET_BYTES } from './held-tables.js';
import { DEAD_SECRET_TABLES } from '../legacy/fief-schema.js';
import { preflightWarnings } from '../legacy/upgrade-checks.js';
import { assertPrunable, checkEncryptedValues } from './preflight.js';
import { Reencryptor } from './reencrypt.js';
import { RunPool } from './run-pool.js';
import { readSchemaCatalog } from '../legacy/schema-catalog.js';
import type { DumpSummary } from './plan.js';
import { writeDump } from './writer.js';

export type { DumpSummary } from './plan.js';
export { RunPool } from './run-pool.js';

export interface ExportOptions {
  mainDatabase: ClientConfig;
  encryptionKey: string;
  workspaceId: string;
  userSub?: string;
  keepKey?: boolean;
  targetSchema?: string;
  strict?: boolean;
  pruneDeadSecrets?: boolean;
  gzip?: boolean;
  onProgress?: (p: { table: string; rows: number; bytes: number }) => void;
  /**
   * The row buffers' pool, for a consumer that releases each chunk once written (the CLI's
   * file sink); without it, buffers are left to the garbage collector.
   */
  runs?: RunPool;
  /** Memory for holding token tables while the rest streams (held-tables.ts); tests shrink it. */
  holdBudgetBytes?: number;
  /**
   * Runs on the main-database connection as soon as it is open, before any lookup. That
   * connection stays open until the export ends (also for a bring-your-own-database workspace),
   * so session-level state taken here (the web's per-person advisory lock) lasts exactly as long
   * as the export. Throwing aborts the export before anything else is done.
   */
  onMainConnection?: (client: pg.Client) => Promise<void>;
}

export interface OpenedDump {
  workspace: WorkspaceRecord;
  filename: string;
  warnings: string[];
  stream: Readable;
  result: Promise<DumpSummary>;
}

export const APPLICATION_NAME = 'fief-exporter';

interface DataSource {
  workspace: WorkspaceRecord;
  client: pg.Client;
  config: ClientConfig;
  schema: string | null;
}

/**
 * Looks the workspace up in the main database and runs `fn` on a client of its data, ended
 * (withClient) once `fn` has settled. A Fief Cloud workspace lives in the main database itself,
 * so the lookup connection is kept for the dump (one connection fewer before the first byte);
 * a bring-your-own one gets its own connection, and the main one is ended first.
 */
async function withDataSource<T>(opts: ExportOptions, fn: (source: DataSource) => Promise<T>): Promise<T> {
  const mainConfig = { application_name: APPLICATION_NAME, ...opts.mainDatabase, stream: dumpSocket };
  return withClient(mainConfig, async (main) => {
    await opts.onMainConnection?.(main);
    const filter = opts.userSub === undefined ? {} : { userSub: opts.userSub };
    const workspace = await getWorkspace(main, opts.workspaceId, filter);
    if (!workspace) throw new ExporterError('WORKSPACE_NOT_FOUND', `no workspace ${opts.workspaceId} (or you are not a member of it)`);
    const location = await locateWorkspace(main, opts.mainDatabase, workspace, opts.encryptionKey);
    if (!location.byod) return fn({ workspace, client: main, config: mainConfig, schema: location.schema });
    // withClient's own end() is then a no-op; a main connection that holds session state for
    // the export (onMainConnection) stays open until the data client is done.
    if (!opts.onMainConnection) await main.end();
    const config = { application_name: APPLICATION_NAME, ...location.config, stream: dumpSocket };
    return withClient(config, (client) => fn({ workspace, client, config, schema: location.schema }));
  });
}

async function beginSnapshot(client: pg.Client, schema: string | null): Promise<string> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const resolved = schema ?? (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s;
  if (!resolved) throw new ExporterError('WORKSPACE_NOT_FOUND', 'the workspace database has no default schema');
  await client.query(`SELECT set_config('search_path', $1, true)`, [quoteIdent(resolved)]);
  return resolved;
}

/**
 * Resolves once the dump is ready to stream (or rejects before the first byte); the dump's
 * client lives as long as `result`'s withClient call, which ends it when the stream has ended,
 * failed or been destroyed by the consumer.
 */
export function openWorkspaceDump(opts: ExportOptions): Promise<OpenedDump> {
  new Fernet(opts.encryptionKey); // validates the key before any connection
  return new Promise<OpenedDump>((resolve, reject) => {
    const result = withDataSource(opts, async (source) => {
      try {
        const { done, summary, ...dump } = await startDump(opts, source);
        resolve({ ...dump, result });
        await done;
        return summary;
      } catch (err) {
        throw err instanceof ExporterError ? err : toExporterError(err, source.config);
      }
    });
    // Before the dump opens, a failure rejects the open; after, only `result` (callers that
    // only consume the stream must not see an unhandled rejection).
    result.catch(reject);
  });
}

async function startDump(
  opts: ExportOptions,
  { workspace, client, schema }: DataSource,
): Promise<Omit<OpenedDump, 'result'> & { done: Promise<void>; summary: DumpSummary }> {
  const sourceSchema = await beginSnapshot(client, schema);
  const catalog = await readSchemaCatalog(client, sourceSchema);
  // As pg_dump does: no concurrent DDL may change a table under the snapshot.
  if (catalog.tables.length > 0) {
    await client.query(`LOCK TABLE ${catalog.tables.map((t) => `${quoteIdent(sourceSchema)}.${quoteIdent(t.name)}`).join(', ')} IN ACCESS SHARE MODE`);
  }
  const prefix = workspace.tablePrefix;
  const warnings = await preflightWarnings(client, catalog, prefix);
  if (opts.strict && warnings.length > 0) {
    throw new ExporterError('PREFLIGHT_FAILED', `pre-flight checks failed (--strict): ${warnings.join('; ')}`);
  }
  const outputKey = opts.keepKey ? opts.encryptionKey : generateKey();
  const reencryptor = new Reencryptor(opts.encryptionKey, outputKey);
  await checkEncryptedValues(client, catalog, prefix, reencryptor);
  const pruned = new Set(opts.pruneDeadSecrets ? DEAD_SECRET_TABLES.map((t) => prefix + t) : []);
  assertPrunable(catalog, pruned);

  const revision = workspace.alembicRevision ?? 'unknown';
  const header = [
    `Fief workspace dump made by fief-exporter ${VERSION}`,
    `Workspace: ${workspace.name} (${workspace.id})`,
    `Source revision: ${revision}; made at ${new Date().toISOString()}`,
    `Target schema: ${opts.targetSchema ?? 'public'}; keys: ${opts.keepKey ? 'the instance key, kept' : 'a fresh key for this export'}`,
    ...(pruned.size > 0 ? [`Rows left out (they die with the old SECRET): ${[...pruned].join(', ')}`] : []),
    ...warnings.map((w) => `WARNING: ${w}`),
    `Import, in this file's folder: ${importRecipe(dumpFileNameUtf8(workspace.name)).join('; ')} (or fief-exporter import)`,
    `Then set ENCRYPTION_KEY to the value on line 1 and start Fief >= 0.28 on that database.`,
  ];
  const summary: DumpSummary = { tables: [], rows: 0, bytes: 0 };
  const plan = {
    catalog,
    targetSchema: opts.targetSchema ?? 'public',
    prefix,
    outputKey,
    reencryptor: opts.keepKey ? null : reencryptor,
    pruned,
    header,
    runs: opts.runs ?? new RunPool(),
    holdBudgetBytes: opts.holdBudgetBytes ?? HOLD_BUDGET_BYTES,
  };

  const source = Readable.from(writeDump(client, plan, summary, opts.onProgress), { objectMode: false, highWaterMark: 256 * 1024 });
  let stream: Readable = source;
  let done: Promise<void>;
  if (opts.gzip) {
    const gzip = createGzip();
    stream = gzip;
    done = pipeline(source, gzip);
  } else {
    // A consumer that goes away (browser abort, CLI pipe closed) ends the export, and with it the client.
    done = new Promise((resolve, reject) => {
      source.once('end', resolve);
      source.once('error', reject);
      source.once('close', () => (source.readableEnded ? resolve() : reject(new ExporterError('EXPORT_FAILED', 'the export was aborted'))));
    });
  }
  return { workspace, filename: dumpFileName(workspace.name, opts.gzip), warnings, stream, done, summary };
}
