/**
 * `npm run build` once per test run, whatever number of test files need dist/: files run in
 * parallel forks, and a second tsc rewriting dist/ under a running demo could hand it a
 * half-written module. A lock directory serialises them; a stamp names the run that built.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { packageRoot } from '../../../src/paths.js';
import { run } from './processes.js';

const LOCK = join(packageRoot, 'dist.build-lock');

async function withLock<T>(fn: () => T): Promise<T> {
  const deadline = Date.now() + 170_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${LOCK} held for too long; remove it if no test is running`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

export async function buildOnce(): Promise<void> {
  const stamp = join(packageRoot, 'dist', `.built-by-${inject('pgRunTag')}`);
  await withLock(() => {
    if (existsSync(stamp)) return;
    run('npm', ['run', 'build', '--silent'], { cwd: packageRoot });
    writeFileSync(stamp, '');
  });
}
