/**
 * In-place migration on SQLite: the workspace file `<DATABASE_LOCATION>/<id>` (no extension)
 * becomes the main file, and the legacy main file is kept as a timestamped backup. The main file
 * is read first (sqlite-main.ts); the workspace file is only checked by its 16-byte header,
 * since it can be large and the move does not need its content.
 */
import { constants } from 'node:fs';
import { access, lstat, open } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ExporterError, UsageError } from '../errors.js';
import { shellQuote } from '../import-recipe.js';
import type { MigrationReport } from './report.js';
import { readMainFile } from './sqlite-main.js';
import { lockMainFile, moveInPlace } from './sqlite-moves.js';

export interface SqliteMigrateOptions {
  /** Fief's DATABASE_LOCATION: holds the main file and one file per workspace. */
  dir: string;
  workspaceId: string;
  /** Fief's DATABASE_NAME (default fief.db). */
  mainFile?: string;
  dryRun?: boolean;
  /** For the backup name; tests pin it. */
  now?: Date;
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

async function isSqliteFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(SQLITE_MAGIC.length);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(SQLITE_MAGIC);
  } finally {
    await fh.close();
  }
}

async function regularFile(path: string, missing: string): Promise<void> {
  const st = await lstat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') throw new ExporterError('WORKSPACE_NOT_FOUND', missing);
    throw new ExporterError('INPUT_ERROR', `cannot read ${path}: ${err.message}`);
  });
  if (!st.isFile()) throw new ExporterError('WORKSPACE_UNSUPPORTED', `${path} is not a regular file`);
}

/**
 * A rollback journal or WAL holds part of its database: moving the file without it would
 * lose data, and leaving fief.db's next to another file would corrupt that one.
 */
async function refuseJournals(path: string): Promise<void> {
  for (const side of [`${path}-journal`, `${path}-wal`]) {
    if (await exists(side)) {
      throw new ExporterError(
        'MIGRATE_FAILED',
        `${side} exists (Fief is running or stopped uncleanly): stop Fief, run sqlite3 ${shellQuote(path)} "PRAGMA integrity_check;" once so SQLite folds it back in, then retry`,
      );
    }
  }
}

/** "20250102T030405Z": sortable, and safe in a file name on every system. */
function stamp(d: Date): string {
  return d.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

export async function migrateSqlite(opts: SqliteMigrateOptions): Promise<MigrationReport> {
  const id = opts.workspaceId.toLowerCase();
  const mainName = opts.mainFile ?? 'fief.db';
  if (mainName === '' || basename(mainName) !== mainName || mainName === '.' || mainName === '..') {
    throw new UsageError('--main-file must be a file name inside --sqlite-dir (Fief\'s DATABASE_NAME), not a path');
  }
  if (mainName === id) throw new UsageError('--main-file cannot be the workspace file itself');
  const dir = resolve(opts.dir);
  const dirStat = await lstat(dir).catch(() => null);
  if (!dirStat?.isDirectory()) throw new ExporterError('INPUT_ERROR', `${dir} is not a directory (--sqlite-dir is Fief's DATABASE_LOCATION)`);

  const workspacePath = join(dir, id);
  const mainPath = join(dir, mainName);
  await regularFile(mainPath, `${mainPath} does not exist: --sqlite-dir must be Fief's DATABASE_LOCATION, holding the main ${mainName}`);
  if (!(await isSqliteFile(mainPath))) {
    throw new ExporterError('WORKSPACE_UNSUPPORTED', `${mainPath} is not an SQLite database: is --sqlite-dir Fief's DATABASE_LOCATION?`);
  }
  await refuseJournals(mainPath);
  const dryRun = opts.dryRun ?? false;
  // A real run holds the lock from reading the main file to its last move: two runs at once
  // would each move a workspace in, and one could unlink the file the other just moved.
  const unlock = dryRun ? (): Promise<void> => Promise.resolve() : await lockMainFile(mainPath);
  try {
    return await checkAndMove({ id, dir, mainPath, workspacePath, dryRun, now: opts.now ?? new Date() });
  } finally {
    await unlock();
  }
}

interface MovePlan {
  id: string;
  dir: string;
  mainPath: string;
  workspacePath: string;
  dryRun: boolean;
  now: Date;
}

async function checkAndMove({ id, dir, mainPath, workspacePath, dryRun, now }: MovePlan): Promise<MigrationReport> {
  // The main file says which workspaces exist and which it hosts, and whether it was migrated already.
  const main = await readMainFile(mainPath, id);
  await regularFile(workspacePath, `${workspacePath} does not exist (Fief names a workspace's file after its id, with no extension)`);
  if (!(await isSqliteFile(workspacePath))) {
    throw new ExporterError('WORKSPACE_UNSUPPORTED', `${workspacePath} is not an SQLite database (its header is not "SQLite format 3")`);
  }
  await refuseJournals(workspacePath);
  const backupPath = `${mainPath}.bak-${stamp(now)}`;
  if (await exists(backupPath)) throw new ExporterError('MIGRATE_FAILED', `the backup ${backupPath} already exists; nothing was moved`);

  const statements = [
    // The real run reads the main file right before moving; a script run later must not move a
    // main file that changed since (say, a workspace moved in meanwhile): sh -e stops here.
    `test "$(cksum < ${shellQuote(mainPath)})" = ${shellQuote(main.cksum)}`,
    `mv -n -- ${shellQuote(mainPath)} ${shellQuote(backupPath)}`,
    `mv -n -- ${shellQuote(workspacePath)} ${shellQuote(mainPath)}`,
  ];
  if (!dryRun) await moveInPlace(dir, mainPath, backupPath, workspacePath);
  return {
    engine: 'sqlite',
    workspaceId: id,
    workspaceName: main.workspaceName,
    dryRun,
    warnings: [],
    statements,
    movedTables: [],
    movedTypes: [],
    containerDropped: false,
    leftovers: [],
    backupPath,
    otherWorkspaces: main.otherWorkspaces,
  };
}
