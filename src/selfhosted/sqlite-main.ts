/**
 * Reads the SQLite main file (Fief's DATABASE_NAME, fief.db) before anything moves, to apply
 * the rules PostgreSQL and MySQL apply: the workspace is listed in `workspaces`, it is hosted
 * by the instance, and the file is still a legacy main database. sql.js (SQLite compiled to
 * WebAssembly) reads a copy of the file in memory and never writes it back, so the file is
 * opened read-only and no native module is needed.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Database } from 'sql.js';
import { ExporterError } from '../errors.js';
import { loadOptionalPackage } from '../optional-package.js';
import { posixCksum } from './cksum.js';

/**
 * sql.js needs the whole file in memory. A legacy main database holds workspaces, their
 * members and admin sessions: a few MiB at most. Far more means a wrong file, not a big instance.
 */
export const MAX_MAIN_FILE_BYTES = 256 * 1024 * 1024;
const MIB = 1024 * 1024;

/** sql.js (~30 MB with its other builds) is optional: the service's image has no SQLite move. */
async function loadSqlJs() {
  const initSqlJs = await loadOptionalPackage('sql.js', 'moving a SQLite instance', async () => (await import('sql.js')).default);
  return initSqlJs();
}

export interface MainFileFacts {
  workspaceName: string;
  /** POSIX `cksum` of the file as read: the dry run's script checks it is still that file. */
  cksum: string;
  /** Other hosted workspaces, as "name (id)". */
  otherWorkspaces: string[];
}

interface WorkspaceRow {
  id: string;
  name: string;
  database_type: string | null;
}

function rowsOf<T>(db: Database, sql: string, params: (string | null)[] = []): T[] {
  const stmt = db.prepare(sql, params);
  try {
    const out: T[] = [];
    while (stmt.step()) out.push(stmt.getAsObject() as T);
    return out;
  } finally {
    stmt.free();
  }
}

async function readWhole(path: string): Promise<Buffer> {
  const { size } = await stat(path);
  if (size > MAX_MAIN_FILE_BYTES) {
    throw new ExporterError(
      'WORKSPACE_UNSUPPORTED',
      `${path} is ${Math.round(size / MIB)} MiB, more than a legacy main database holds (limit ${MAX_MAIN_FILE_BYTES / MIB} MiB): ` +
        'is it Fief\'s main file (DATABASE_NAME)? nothing was moved',
    );
  }
  return readFile(path).catch((err: unknown) => {
    throw new ExporterError('INPUT_ERROR', `cannot read ${path}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  });
}

function unreadable(path: string, err: unknown): ExporterError {
  const reason = err instanceof Error ? err.message : String(err);
  return new ExporterError('WORKSPACE_UNSUPPORTED', `${path} cannot be read as an SQLite database (${reason}): is --sqlite-dir Fief's DATABASE_LOCATION?`, {
    cause: err,
  });
}

function checkWorkspace(db: Database, path: string, id: string): Omit<MainFileFacts, 'cksum'> {
  const tables = rowsOf<{ name: string }>(db, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").map((r) => r.name);
  const fief = tables.filter((n) => n.toLowerCase().startsWith('fief_'));
  if (fief.length > 0) {
    throw new ExporterError(
      'MIGRATE_TARGET_NOT_EMPTY',
      `${path} already holds Fief data (${fief.slice(0, 3).join(', ')}${fief.length > 3 ? ', …' : ''}), so it is no longer the legacy main database: ` +
        'was a workspace migrated already? nothing was moved',
    );
  }
  if (!tables.includes('workspaces')) {
    throw new ExporterError('WORKSPACE_NOT_FOUND', `${path} has no workspaces table: it is not Fief's legacy (≤ 0.27) main database, nothing was moved`);
  }
  // Fief stores ids as CHAR(36), lower-case and hyphenated; compare loosely all the same.
  const all = rowsOf<WorkspaceRow>(db, 'SELECT CAST(id AS TEXT) AS id, CAST(name AS TEXT) AS name, database_type FROM workspaces ORDER BY name, id');
  const key = (s: string): string => s.toLowerCase().replaceAll('-', '');
  const workspace = all.find((w) => key(w.id) === key(id));
  if (!workspace) throw new ExporterError('WORKSPACE_NOT_FOUND', `workspace ${id} does not exist in ${path}`);
  if (workspace.database_type !== null) {
    throw new ExporterError(
      'WORKSPACE_UNSUPPORTED',
      `workspace ${id} keeps its data in its own ${workspace.database_type} database (bring your own database), not in a file here; ` +
        'migrate-in-place only moves workspaces hosted by the instance: use fief-exporter export for a PostgreSQL one',
    );
  }
  const others = all.filter((w) => w !== workspace && w.database_type === null).map((w) => `${w.name} (${w.id})`);
  return { workspaceName: workspace.name, otherWorkspaces: others };
}

/** The workspace's name and the other hosted workspaces, or one sentence saying why not. */
export async function readMainFile(path: string, id: string): Promise<MainFileFacts> {
  const bytes = await readWhole(path);
  let db: Database;
  try {
    db = new (await loadSqlJs()).Database(bytes);
  } catch (err) {
    throw unreadable(path, err);
  }
  try {
    return { ...checkWorkspace(db, path, id), cksum: posixCksum(bytes) };
  } catch (err) {
    if (err instanceof ExporterError) throw err;
    throw unreadable(path, err);
  } finally {
    db.close();
  }
}
