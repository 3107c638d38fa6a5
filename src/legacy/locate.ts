/**
 * Where a workspace's data lives. Fief Cloud workspaces sit in schema "<id>" of the main
 * database; bring-your-own PostgreSQL workspaces in another server whose connection settings
 * are Fernet tokens in `workspaces.database_*` (encrypted with the instance's ENCRYPTION_KEY).
 */
import type pg from 'pg';
import { Fernet, FernetTokenError } from '../crypto/fernet.js';
import type { ClientConfig } from '../db/connection.js';
import { ExporterError } from '../errors.js';
import { getConnectionColumns, type WorkspaceConnectionColumns, type WorkspaceRecord } from './workspaces.js';

export interface WorkspaceLocation {
  config: ClientConfig;
  /** The schema holding the workspace tables, or null for "the connection's default schema". */
  schema: string | null;
  byod: boolean;
}

function sslFor(mode: string | null): ClientConfig['ssl'] {
  switch ((mode ?? 'prefer').toLowerCase()) {
    case 'disable':
    case 'allow':
      return false;
    case 'verify-ca':
    case 'verify-full':
      return { rejectUnauthorized: true };
    default:
      // libpq's prefer/require encrypt without verifying the certificate.
      return { rejectUnauthorized: false };
  }
}

function decryptColumns(workspaceId: string, columns: WorkspaceConnectionColumns, key: string): Record<keyof WorkspaceConnectionColumns, string | null> {
  const fernet = new Fernet(key);
  const out = {} as Record<keyof WorkspaceConnectionColumns, string | null>;
  for (const name of Object.keys(columns) as (keyof WorkspaceConnectionColumns)[]) {
    const token = columns[name];
    if (token === null) {
      out[name] = null;
      continue;
    }
    try {
      out[name] = fernet.decryptString(token);
    } catch (err) {
      if (err instanceof FernetTokenError) {
        throw new ExporterError(
          'DECRYPT_FAILED',
          `cannot decrypt workspaces.${name} of workspace ${workspaceId} with the given ENCRYPTION_KEY (is it the instance's key?)`,
        );
      }
      throw err;
    }
  }
  return out;
}

export async function locateWorkspace(
  mainClient: pg.ClientBase,
  mainConfig: ClientConfig,
  workspace: WorkspaceRecord,
  encryptionKey: string,
): Promise<WorkspaceLocation> {
  if (workspace.databaseType === null) {
    return { config: mainConfig, schema: workspace.id, byod: false };
  }
  if (workspace.databaseType !== 'POSTGRESQL') {
    throw new ExporterError(
      'WORKSPACE_UNSUPPORTED',
      `workspace ${workspace.id} keeps its data in its own ${workspace.databaseType} database, which this exporter cannot read; ` +
        'follow the self-hosted migration for that database (see the README, "Self-hosted migration")',
    );
  }
  const c = decryptColumns(workspace.id, await getConnectionColumns(mainClient, workspace.id), encryptionKey);
  const port = c.database_port === null ? 5432 : Number(c.database_port);
  if (!c.database_host || !Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new ExporterError('WORKSPACE_UNSUPPORTED', `workspace ${workspace.id} has an incomplete bring-your-own database configuration`);
  }
  return {
    config: {
      host: c.database_host,
      port,
      user: c.database_username ?? undefined,
      password: c.database_password ?? undefined,
      database: c.database_name ?? undefined,
      ssl: sslFor(c.database_ssl_mode),
    },
    schema: workspace.useSchema ? workspace.id : null,
    byod: true,
  };
}
