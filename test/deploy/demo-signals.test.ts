/**
 * The demo as people start it — `npm start`, `npx fief-exporter demo` — stopped by a signal to
 * the outermost process only (a process manager, `kill <pid>`, `docker stop` on an npm or demo PID 1),
 * not to the whole process group as a terminal's Ctrl-C does: within 10 seconds nothing of the
 * demo is left, neither a process nor its PostgreSQL, and the port is free. Also: the demo dies
 * with whatever kills it, and the CLI command its banner prints works on the running demo.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { freePort } from '../helpers/pg-server.js';
import { buildOnce } from './helpers/build.js';
import { cleanEnv, namespaceInit, spawnCaptured, waitForOutput, type Spawned } from './helpers/processes.js';

const READY_LINE = 'Press Ctrl-C to stop.';
const dataDir = join(mkdtempSync(join(tmpdir(), 'fief-exporter-demo-signals-')), 'data');

/** Pids of live processes whose command line or environment mentions `text` (Linux /proc). */
function processesWith(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      const environ = readFileSync(`/proc/${entry}/environ`, 'utf8');
      const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (state !== 'Z' && (cmdline.includes(text) || environ.includes(text))) found.push(Number(entry));
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

async function portFree(port: number): Promise<boolean> {
  const probe = net.createServer();
  return new Promise((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port }, () => probe.close(() => resolve(true)));
  });
}

async function allGone(port: number, withinMs: number): Promise<{ left: number[]; portFree: boolean }> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const left = processesWith(dataDir);
    const free = await portFree(port);
    if ((left.length === 0 && free) || Date.now() > deadline) return { left, portFree: free };
    await new Promise((r) => setTimeout(r, 200));
  }
}

const STARTS = {
  'npm start': ['npm', 'start'],
  npx: ['npx', 'fief-exporter', 'demo'],
  // A container whose command is the demo (`docker run ... demo`): PID 1 of its own namespace.
  'PID 1': ['unshare', '--pid', '--fork', '--mount-proc', '--', 'node', 'dist/src/cli/main.js', 'demo'],
} as const;

function startDemo(how: keyof typeof STARTS, port: number): Spawned {
  const [command, ...args] = STARTS[how];
  // Detached: its own process group, so that the signal goes to the outermost process only.
  return spawnCaptured(command, args, { cwd: packageRoot, env: cleanEnv({ PORT: String(port), FIEF_DEMO_DATA_DIR: dataDir }), detached: true });
}

function killLeftovers(): void {
  for (const pid of processesWith(dataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

beforeAll(buildOnce, 180_000);
// A failed case must not leave a demo that makes the next one refuse to start.
afterEach(killLeftovers);
afterAll(() => {
  killLeftovers();
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

describe('a signal to the outermost process stops the whole demo', () => {
  // npm forwards a SIGINT or SIGTERM it gets to its child only. That child is the demo itself:
  // `npm start` execs it, and for `npx` the project's .npmrc has npm run commands with bash,
  // which runs the last command of `bash -c` in its own place. Under dash (Debian's sh) the child
  // would be `sh -c`, which holds a SIGINT until its own child exits: the demo never learns of it.
  const cases = [
    ['npm start', 'SIGTERM'],
    ['npm start', 'SIGINT'],
    ['npx', 'SIGTERM'],
    ['npx', 'SIGINT'],
    ['PID 1', 'SIGTERM'],
    ['PID 1', 'SIGINT'],
  ] as const;
  for (const [how, signal] of cases) {
    it(`${how}, ${signal}`, { timeout: 240_000 }, async () => {
      const port = await freePort();
      const demo = startDemo(how, port);
      await waitForOutput(demo, (out) => out.includes(READY_LINE), 200_000);
      expect(processesWith(dataDir).length).toBeGreaterThan(2);
      // The outermost process: npm, or the namespace's PID 1 (Docker signals that one, not unshare).
      process.kill(how === 'PID 1' ? await namespaceInit(demo) : demo.child.pid!, signal);
      expect(await allGone(port, 10_000)).toEqual({ left: [], portFree: true });
    });
  }
});

describe('the demo does not outlive', () => {
  it('its own process killed outright: its PostgreSQL stops too', { timeout: 120_000 }, async () => {
    const port = await freePort();
    const demo = startDemo('npm start', port);
    await waitForOutput(demo, (out) => out.includes(READY_LINE), 100_000);
    // npm start execs the demo in place of its shell: npm's only child is the demo itself.
    const node = Number(execFileSync('ps', ['-o', 'pid=', '--ppid', String(demo.child.pid)], { encoding: 'utf8' }).trim());
    expect(readFileSync(`/proc/${node}/cmdline`, 'utf8')).toContain('demo');
    process.kill(node, 'SIGKILL');
    expect(await allGone(port, 10_000)).toEqual({ left: [], portFree: true });
  });
});

describe('the CLI on the running demo', () => {
  it("runs the banner's `workspaces` command as printed, and the password stays out of the banner", { timeout: 240_000 }, async () => {
    const port = await freePort();
    const demo = startDemo('npm start', port);
    try {
      const banner = await waitForOutput(demo, (out) => out.includes(READY_LINE), 200_000);
      const state = JSON.parse(readFileSync(join(dataDir, 'demo.json'), 'utf8')) as { postgresPassword: string; encryptionKey: string };
      expect(banner).not.toContain(state.postgresPassword);
      expect(banner).not.toContain(encodeURIComponent(state.postgresPassword));
      expect(banner).not.toContain(state.encryptionKey);
      expect(banner).toMatch(/postgres:\/\/postgres:\*{4}@127\.0\.0\.1:\d+\/fief_cloud_demo/);
      const start = banner.indexOf('  eval "$(');
      expect(start).toBeGreaterThan(0);
      const commands = banner.slice(start).split('\n').filter((l) => l.startsWith('  npx fief-exporter workspaces') || l.startsWith('  eval '));
      expect(commands).toHaveLength(2);
      const listed = execFileSync('sh', ['-c', commands.map((c) => c.trim()).join('\n')], { cwd: packageRoot, env: cleanEnv({}), encoding: 'utf8' });
      expect(listed).toMatch(/Acme Production/);
      expect(listed).toMatch(/Side Project/);
    } finally {
      if (demo.child.exitCode === null) process.kill(demo.child.pid!, 'SIGTERM');
      await allGone(port, 15_000);
    }
  });
});
