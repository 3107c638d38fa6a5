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
import { connect, type ClientConfig, quoteIdent, toExporterError } from '../db/connection.js';
import { dumpSocket } from '../db/reused-read-socket.js';
import { ExporterError } from '../errors.js';
import { locateWorkspace } from '../legacy/locate.js';
import { getWorkspace, type WorkspaceRecord } from '../legacy/workspaces.js';
import { VERSION } from '../version.js';
import { importRecipe } from '../import-recipe.js';
import { dumpFileName, dumpFileNameUtf8 } from './filename.js';
import { HOLD_BUDGET_BYTES } from './held-tables.js';
import { assertPrunable, checkEncryptedValues, DEAD_SECRET_TABLES, preflightWarnings } from './preflight.js';
import { Reencryptor } from './reencrypt.js';
import { RunPool } from './run-pool.js';
import { readSchemaCatalog } from './source-catalog.js';
import { writeDump, type DumpSummary } from './writer.js';

export type { DumpSummary } from './writer.js';
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
}

export interface OpenedDump {
  workspace: WorkspaceRecord;
  filename: string;
  warnings: string[];
  stream: Readable;
  result: Promise<DumpSummary>;
}

export const APPLICATION_NAME = 'fief-exporter';

/**
 * Looks the workspace up in the main database and returns a client on its data. A Fief Cloud
 * workspace lives in the main database itself, so the lookup connection is kept for the dump
 * (one connection fewer before the first byte); a bring-your-own one gets its own connection.
 */
async function openDataClient(opts: ExportOptions): Promise<{ workspace: WorkspaceRecord; client: pg.Client; config: ClientConfig; schema: string | null }> {
  const mainConfig = { application_name: APPLICATION_NAME, ...opts.mainDatabase, stream: dumpSocket };
  const main = await connect(mainConfig);
  try {
    const filter = opts.userSub === undefined ? {} : { userSub: opts.userSub };
    const workspace = await getWorkspace(main, opts.workspaceId, filter);
    if (!workspace) throw new ExporterError('WORKSPACE_NOT_FOUND', `no workspace ${opts.workspaceId} (or you are not a member of it)`);
    const location = await locateWorkspace(main, opts.mainDatabase, workspace, opts.encryptionKey);
    if (!location.byod) return { workspace, client: main, config: mainConfig, schema: location.schema };
    await main.end();
    const config = { application_name: APPLICATION_NAME, ...location.config, stream: dumpSocket };
    return { workspace, client: await connect(config), config, schema: location.schema };
  } catch (err) {
    await main.end().catch(() => undefined);
    throw err;
  }
}

async function beginSnapshot(client: pg.Client, schema: string | null): Promise<string> {
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  const resolved = schema ?? (await client.query<{ s: string }>('SELECT current_schema() AS s')).rows[0]?.s;
  if (!resolved) throw new ExporterError('WORKSPACE_NOT_FOUND', 'the workspace database has no default schema');
  await client.query(`SELECT set_config('search_path', $1, true)`, [quoteIdent(resolved)]);
  return resolved;
}

export async function openWorkspaceDump(opts: ExportOptions): Promise<OpenedDump> {
  new Fernet(opts.encryptionKey); // validates the key before any connection
  const { workspace, client, config, schema } = await openDataClient(opts);
  let settled = false;
  const release = (): void => {
    if (settled) return;
    settled = true;
    // end() also aborts a COPY in flight: the backend goes away with the socket.
    void client.end().catch(() => undefined);
  };
  try {
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
      done = new Promise((resolve, reject) => {
        source.once('end', resolve);
        source.once('error', reject);
        source.once('close', () => (source.readableEnded ? resolve() : reject(new ExporterError('EXPORT_FAILED', 'the export was aborted'))));
      });
    }
    // A consumer that goes away (browser abort, CLI pipe closed) must not leave a backend behind.
    stream.once('close', release);
    const result = done.then(
      () => {
        // Read-only snapshot: ending the session is all the cleanup it needs.
        release();
        return summary;
      },
      (err: unknown) => {
        release();
        throw err instanceof ExporterError ? err : toExporterError(err, config);
      },
    );
    // Callers that only consume the stream must not see an unhandled rejection.
    result.catch(() => undefined);
    return { workspace, filename: dumpFileName(workspace.name, opts.gzip), warnings, stream, result };
  } catch (err) {
    release();
    throw err instanceof ExporterError ? err : toExporterError(err, config);
  }
}
