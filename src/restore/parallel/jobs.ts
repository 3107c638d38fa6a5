/**
 * The job sessions of a parallel load: each its own connection, with the dump's session
 * settings, the staging schema as its search_path, more memory for index sorts and no parallel
 * workers of their own. How many:
 * what the machine and the server can take (`--jobs` overrides it).
 */
import { availableParallelism } from 'node:os';
import type pg from 'pg';
import { connect, quoteIdent, type ClientConfig } from '../../db/connection.js';
import { ServerSession } from '../server-session.js';

export interface Job {
  id: number;
  client: pg.Client;
  server: ServerSession;
  pid: number;
  /** What it does right now (for progress), or null when idle. */
  task: string | null;
}

/** No more sessions than this by default, however large the machine: the gain flattens out. */
const MAX_DEFAULT_JOBS = 8;
/** Index sorts of the biggest tables fit in memory instead of spilling to disk. */
const INDEX_MEMORY_KB = 256 * 1024;

/**
 * min(CPU count, free connections on the server less the coordinator's, cap); 1 means the
 * single-transaction path. Only superusers may use the reserved connections, so they do not count.
 */
export async function defaultJobs(client: pg.Client): Promise<number> {
  const { rows } = await client.query<{ free: number }>(
    `SELECT current_setting('max_connections')::int - current_setting('superuser_reserved_connections')::int
            - (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend')::int AS free`,
  );
  const free = (rows[0]?.free ?? 0) - 1;
  return Math.max(1, Math.min(availableParallelism(), free, MAX_DEFAULT_JOBS));
}

/** Opens `count` sessions at once; on a failure closes those already open. */
export async function openJobs(config: ClientConfig, count: number, settings: string[], staging: string): Promise<Job[]> {
  const opened = await Promise.allSettled(Array.from({ length: count }, (_, k) => openJob(config, k + 1, settings, staging)));
  const jobs = opened.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) {
    await closeJobs(jobs);
    throw failed.reason;
  }
  return jobs;
}

async function openJob(config: ClientConfig, id: number, settings: string[], staging: string): Promise<Job> {
  const client = await connect(config);
  try {
    const server = new ServerSession(client);
    for (const s of settings) await server.execute(s);
    const { rows } = await client.query<{ pid: number }>(
      `SELECT pg_backend_pid() AS pid, pg_catalog.set_config('search_path', $1, false),
              CASE WHEN (SELECT setting::bigint FROM pg_catalog.pg_settings WHERE name = 'maintenance_work_mem') < $2
                   THEN pg_catalog.set_config('maintenance_work_mem', $2::text || 'kB', false) END`,
      [quoteIdent(staging), INDEX_MEMORY_KB],
    );
    // Staging data need not be durable on its own: the final COMMIT flushes the WAL up to it.
    // The sessions are the parallelism: a build's own workers would only compete with the other
    // sessions for the same cores (two audit-log builds at once: 1.31 s with 2 workers each, 1.18 s without).
    await client.query(`SET synchronous_commit = off; SET max_parallel_maintenance_workers = 0; SET application_name = 'fief-exporter import job ${id}'`);
    // A killed importer's sessions stop within a second instead of finishing their statement.
    await client.query("SET client_connection_check_interval = '1s'").catch(() => undefined);
    return { id, client, server, pid: rows[0]?.pid ?? 0, task: null };
  } catch (err) {
    await client.end().catch(() => undefined);
    throw err;
  }
}

/** Stops what the job sessions are running (from another session), then closes them. */
export async function cancelJobs(coordinator: pg.Client, jobs: Job[]): Promise<void> {
  const pids = jobs.map((j) => j.pid).filter((p) => p > 0);
  if (pids.length > 0) await coordinator.query('SELECT pg_cancel_backend(pid) FROM unnest($1::int[]) AS pid', [pids]).catch(() => undefined);
  await closeJobs(jobs);
}

export async function closeJobs(jobs: Job[]): Promise<void> {
  await Promise.all(jobs.map((j) => j.client.end().catch(() => undefined)));
}
