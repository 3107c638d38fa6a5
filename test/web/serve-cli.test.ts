/**
 * `fief-exporter serve` as a real process: configuration problems all at once (exit 1), and a
 * clean start and stop (SIGTERM, exit 0) even while the Fief server is unreachable.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { freePort } from '../helpers/pg-server.js';
import { testEnv } from './helpers/stack.js';

function run(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, out: () => stdout, err: () => stderr };
}

describe('fief-exporter serve', () => {
  it('lists every configuration problem and exits 1', async () => {
    const proc = run({ SECRET: 'too-short', PORT: 'eighty' });
    expect(await proc.exited).toBe(1);
    const err = proc.err();
    for (const name of ['FIEF_BASE_URL', 'FIEF_CLIENT_ID', 'FIEF_CLIENT_SECRET', 'DATABASE_URL', 'ENCRYPTION_KEY', 'SECRET must', 'PUBLIC_URL', 'PORT']) {
      expect(err).toContain(name);
    }
    expect(err).not.toContain('too-short');
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('starts while the IdP is down, serves health, and stops on SIGTERM with exit 0', async () => {
    const port = await freePort();
    const env = testEnv({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}` });
    const proc = run(env);
    let healthy = false;
    const deadline = Date.now() + 20_000;
    while (!healthy && Date.now() < deadline && proc.child.exitCode === null) {
      healthy = await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false);
      if (!healthy) await new Promise((r) => setTimeout(r, 100));
    }
    expect(healthy, proc.err()).toBe(true);
    const landing = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    expect(landing).toContain('Sign-in is temporarily unavailable');
    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    for (const secret of [env.ENCRYPTION_KEY!, env.SECRET!, env.FIEF_CLIENT_SECRET!]) expect(proc.out() + proc.err()).not.toContain(secret);
    expect(proc.out()).toContain('sign-in unavailable: OIDC discovery failed, retrying');
  }, 60_000);
});
