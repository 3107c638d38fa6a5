/**
 * What keeps the demo from outliving the process that started it.
 *
 * - The parent: npm (or a supervisor) may be killed outright, and an npm run with `sh` as its
 *   script-shell keeps a `sh -c` between itself and the demo, which a signal to npm alone ends;
 *   when the parent goes, nobody would ever stop the demo.
 * - PostgreSQL: if the demo itself is killed outright (SIGKILL, OOM), its embedded server would
 *   keep running, holding the data directory. A tiny shell in its own process group holds a
 *   pipe from us; when the pipe closes (we are gone, whatever the cause) it stops the server
 *   recorded in the cluster's lock file, which PostgreSQL removes on a clean stop.
 */
import { spawn } from 'node:child_process';
import type { Socket } from 'node:net';

const PARENT_POLL_MS = 500;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Calls `onGone` once when the process that started us has exited; returns a cancel function. */
export function watchParent(onGone: () => void, everyMs = PARENT_POLL_MS): () => void {
  // process.ppid is read once at start, so the original parent's liveness is what we poll.
  const parent = process.ppid;
  if (parent <= 1) return () => undefined; // PID 1 (a container's init) or already orphaned
  const timer = setInterval(() => {
    if (alive(parent)) return;
    clearInterval(timer);
    onGone();
  }, everyMs);
  timer.unref();
  return () => clearInterval(timer);
}

const GUARD_SCRIPT = 'cat >/dev/null; pid=$(head -n1 "$FIEF_DEMO_GUARDED_CLUSTER/postmaster.pid" 2>/dev/null) && kill -INT "$pid" 2>/dev/null; exit 0';

/**
 * Starts the PostgreSQL guard for the cluster in `dataDir` (POSIX only). `release()` after a
 * clean stop lets it end; if we die first, it sends the server the fast-shutdown signal.
 */
export function guardPostgres(dataDir: string): { release: () => void } {
  if (process.platform === 'win32') return { release: () => undefined };
  const guard = spawn('/bin/sh', ['-c', GUARD_SCRIPT], {
    // Its own process group: a terminal's Ctrl-C must not end the guard before the demo.
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    // The path goes by the environment so that the guard's command line does not look like the cluster's.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', FIEF_DEMO_GUARDED_CLUSTER: dataDir },
  });
  guard.on('error', () => undefined);
  guard.unref();
  const pipe = guard.stdin as Socket | null;
  pipe?.on('error', () => undefined);
  pipe?.unref();
  return { release: () => pipe?.end() };
}
