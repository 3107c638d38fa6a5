/**
 * The web's contracts (contracts.ts) on the real legacy catalog (src/legacy/) and dump engine
 * (src/dump/). Page views share a small pg pool: opening a connection per request would cost
 * more than the query. Exports get their own client from the engine, as its contract says.
 */
import pg from '../../db/pg.js';
import { openAllWorkspaces } from '../../archive/all-workspaces.js';
import { openWorkspaceDump } from '../../dump/index.js';
import { describeTarget, isConnectionLoss, toExporterError, type ClientConfig } from '../../db/connection.js';
import { ExporterError } from '../../errors.js';
import { listWorkspaces } from '../../legacy/workspaces.js';
import type { WebConfig } from '../config.js';
import { takeExportLock } from './export-lock.js';
import type { OpenArchiveExport, OpenExport, WorkspaceDirectory } from './contracts.js';

/** Shown in pg_stat_activity, to tell the catalog pool from export connections ('fief-exporter'). */
export const CATALOG_APPLICATION_NAME = 'fief-exporter-web';

/** Not getting a connection at all (refused, timed out, server starting or shutting down) is an outage. */
function unreachable(err: unknown, database: ClientConfig): ExporterError {
  const mapped = toExporterError(err, database);
  if (mapped.code === 'DATABASE_UNREACHABLE') return mapped;
  return new ExporterError('DATABASE_UNREACHABLE', `cannot reach PostgreSQL at ${describeTarget(database)}`, { cause: err });
}

export function createLegacyWorkspaceDirectory(config: Pick<WebConfig, 'database'>, poolSize = 8): WorkspaceDirectory {
  const pool = new pg.Pool({
    ...config.database,
    application_name: CATALOG_APPLICATION_NAME,
    max: poolSize,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client whose server goes away emits 'error' on the pool; without a listener that kills the process.
  pool.on('error', () => undefined);

  const withPoolClient = async <T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> => {
    let client: pg.PoolClient;
    try {
      client = await pool.connect();
    } catch (err) {
      throw unreachable(err, config.database);
    }
    // The pool only listens for errors on idle clients; a server that goes away while this one
    // is checked out would otherwise emit an unhandled 'error' and end the process.
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      return await fn(client);
    } catch (err) {
      throw isConnectionLoss(err) ? unreachable(err, config.database) : err;
    } finally {
      client.off('error', ignore);
      client.release();
    }
  };

  return {
    listForMember: (sub) =>
      withPoolClient(async (client) =>
        (await listWorkspaces(client, { userSub: sub })).map(({ id, name, domain, usersCount }) => ({ id, name, domain, usersCount })),
      ),
    ping: () => withPoolClient(async (client) => void (await client.query('SELECT 1'))),
    close: () => pool.end(),
  };
}

export function createLegacyExport(config: Pick<WebConfig, 'database' | 'encryptionKey'>): OpenExport {
  return async ({ workspaceId, userSub, gzip }) => {
    const dump = await openWorkspaceDump({
      mainDatabase: config.database,
      encryptionKey: config.encryptionKey,
      workspaceId,
      userSub,
      gzip,
      onMainConnection: (client) => takeExportLock(client, userSub),
    });
    const { id, name, domain, usersCount } = dump.workspace;
    return { workspace: { id, name, domain, usersCount }, stream: dump.stream, result: dump.result };
  };
}

/** The web shows what could not be exported in the archive's README.txt rather than failing the whole download. */
export function createLegacyArchiveExport(config: Pick<WebConfig, 'database' | 'encryptionKey'>): OpenArchiveExport {
  return async ({ userSub }) => {
    const archive = await openAllWorkspaces({
      mainDatabase: config.database,
      encryptionKey: config.encryptionKey,
      userSub,
      skipFailed: true,
      // Each workspace's export holds the person's cross-machine lock while it streams.
      onMainConnection: (client) => takeExportLock(client, userSub),
    });
    return { filename: archive.filename, workspaceCount: archive.workspaces.length, stream: archive.stream, result: archive.result };
  };
}
