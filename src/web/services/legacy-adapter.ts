/**
 * The web's contracts (contracts.ts) on the real legacy catalog (src/legacy/) and dump engine
 * (src/dump/). Page views share a small pg pool: opening a connection per request would cost
 * more than the query. Exports get their own client from the engine, as its contract says.
 */
import pg from '../../db/pg.js';
import { openAllWorkspaces } from '../../archive/all-workspaces.js';
import { openWorkspaceDump } from '../../dump/index.js';
import { toExporterError } from '../../db/connection.js';
import { listWorkspaces } from '../../legacy/workspaces.js';
import type { WebConfig } from '../config.js';
import type { OpenArchiveExport, OpenExport, WorkspaceDirectory } from './contracts.js';

/** Shown in pg_stat_activity, to tell the catalog pool from export connections ('fief-exporter'). */
export const CATALOG_APPLICATION_NAME = 'fief-exporter-web';

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
      throw toExporterError(err, config.database);
    }
    // The pool only listens for errors on idle clients; a server that goes away while this one
    // is checked out would otherwise emit an unhandled 'error' and end the process.
    const ignore = () => undefined;
    client.on('error', ignore);
    try {
      return await fn(client);
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
    const dump = await openWorkspaceDump({ mainDatabase: config.database, encryptionKey: config.encryptionKey, workspaceId, userSub, gzip });
    const { id, name, domain, usersCount } = dump.workspace;
    return { workspace: { id, name, domain, usersCount }, stream: dump.stream, result: dump.result };
  };
}

/** The web shows what could not be exported in the archive's README.txt rather than failing the whole download. */
export function createLegacyArchiveExport(config: Pick<WebConfig, 'database' | 'encryptionKey'>): OpenArchiveExport {
  return async ({ userSub }) => {
    const archive = await openAllWorkspaces({ mainDatabase: config.database, encryptionKey: config.encryptionKey, userSub, skipFailed: true });
    return { filename: archive.filename, workspaceCount: archive.workspaces.length, stream: archive.stream, result: archive.result };
  };
}
