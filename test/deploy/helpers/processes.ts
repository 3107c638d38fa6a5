/**
 * Child processes for the deployment tests: spawn with captured output, wait for a line or an
 * HTTP status, stop with a signal and wait for the exit.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface Spawned {
  child: ChildProcess;
  /** Everything written so far to stdout and stderr (interleaved). */
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function spawnCaptured(command: string, args: string[], options: SpawnOptions): Spawned {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => output, exited };
}

/** Polls until `test(output)` holds; fails early (with the output) if the process exits. */
export async function waitForOutput(p: Spawned, test: (output: string) => boolean, timeoutMs: number): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void p.exited.then(() => (exited = true));
  while (!test(p.output())) {
    if (exited) throw new Error(`process exited before the expected output:\n${p.output()}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for output:\n${p.output()}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return p.output();
}

/** Polls `url` until it answers `status`; returns the last body. */
export async function waitForStatus(url: string, status: number, timeoutMs: number, p?: Spawned): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(3000) });
      const body = await response.text();
      if (response.status === status) return body;
      last = `${response.status} ${body.slice(0, 200)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} (last: ${last})${p ? `\n${p.output()}` : ''}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/**
 * Signals the process (or, with `group`, its whole process group, as a terminal's Ctrl-C does:
 * the process must have been spawned `detached`) and waits for its exit.
 */
export async function stop(
  p: Spawned,
  signal: NodeJS.Signals,
  timeoutMs: number,
  { group = false }: { group?: boolean } = {},
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (p.child.exitCode === null && p.child.signalCode === null) {
    if (group && p.child.pid !== undefined) process.kill(-p.child.pid, signal);
    else p.child.kill(signal);
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms of ${signal}:\n${p.output()}`)), timeoutMs);
  });
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Host pid of the PID 1 of the namespace that `unshare --pid --fork` (the spawned process)
 * made: unshare's only child, as a container's command is to Docker.
 */
export async function namespaceInit(unshare: Spawned): Promise<number> {
  const deadline = Date.now() + 10_000;
  const pid = unshare.child.pid!;
  for (;;) {
    const child = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    if (child !== '' && /^NSpid:\s+\d+\s+1$/m.test(readFileSync(`/proc/${child}/status`, 'utf8'))) return Number(child);
    if (Date.now() > deadline) throw new Error(`no PID 1 under unshare:\n${unshare.output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Command lines of running processes that mention `text` (ps, so no pgrep needed). */
export function processesMentioning(text: string): string[] {
  const lines = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' }).split('\n');
  return lines.filter((line) => line.includes(text) && !line.includes('ps -eo'));
}

/** A minimal environment for child processes: nothing of the developer's FIEF_* or PG* settings. */
export function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'npm_config_cache'];
  const env: NodeJS.ProcessEnv = {};
  for (const key of keep) if (process.env[key] !== undefined) env[key] = process.env[key];
  return { ...env, ...extra };
}

/** execFileSync that fails with the command's own output (tsc reports errors on stdout). */
export function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeout?: number }): void {
  try {
    execFileSync(command, args, { ...options, stdio: 'pipe' });
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: Buffer; stderr?: Buffer };
    throw new Error(`${command} ${args.join(' ')} failed:\n${stdout?.toString() ?? ''}${stderr?.toString() ?? ''}`, { cause: err });
  }
}
