/**
 * The file operations of the SQLite move: a lock next to the main file, and two renames that
 * never overwrite anything, undone together if the second fails.
 */
import { constants } from 'node:fs';
import { access, link, open, rename, unlink, writeFile } from 'node:fs/promises';
import { ExporterError } from '../errors.js';

async function exists(path: string): Promise<boolean> {
  return access(path, constants.F_OK).then(
    () => true,
    () => false,
  );
}

/** Creates `<main>.migrate-lock` (O_EXCL: one run at a time); returns its removal. */
export async function lockMainFile(mainPath: string): Promise<() => Promise<void>> {
  const lockPath = `${mainPath}.migrate-lock`;
  try {
    await writeFile(lockPath, `fief-exporter migrate-in-place, pid ${process.pid}, since ${new Date().toISOString()}\n`, { flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new ExporterError('MIGRATE_FAILED', `cannot create ${lockPath} (${(err as Error).message}); nothing was moved`, { cause: err });
    }
    throw new ExporterError(
      'MIGRATE_FAILED',
      `${lockPath} exists: another migrate-in-place is moving files here; if none is running (one was killed), delete that file and retry; nothing was moved`,
    );
  }
  return () => unlink(lockPath).catch(() => undefined);
}

/**
 * rename(2) silently replaces its target; link + unlink refuses an existing one (EEXIST) with
 * no window between the check and the move, so a backup is never overwritten.
 */
async function moveNoClobber(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS'].includes(code)) throw err;
    // A filesystem without hard links: check, then rename (a race we cannot close there).
    if (await exists(to)) throw Object.assign(new Error(`${to} already exists`), { code: 'EEXIST' });
    await rename(from, to);
    return;
  }
  await unlink(from);
}

/** Makes the renames durable: a crash right after must not bring the old names back. */
async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  await fh.sync().catch(() => undefined);
  await fh.close();
}


export async function moveInPlace(dir: string, mainPath: string, backupPath: string, workspacePath: string): Promise<void> {
  try {
    await moveNoClobber(mainPath, backupPath);
  } catch (err) {
    throw new ExporterError('MIGRATE_FAILED', `cannot move ${mainPath} to ${backupPath} (${(err as Error).message}); nothing was moved`, { cause: err });
  }
  try {
    await moveNoClobber(workspacePath, mainPath);
  } catch (err) {
    // Put the main file back, so a failure leaves the directory as it was.
    const restored = await moveNoClobber(backupPath, mainPath).then(() => true, () => false);
    throw new ExporterError(
      'MIGRATE_FAILED',
      `cannot move ${workspacePath} to ${mainPath} (${(err as Error).message}); ` +
        (restored ? 'the main file was put back' : `the main file is now ${backupPath}`),
      { cause: err },
    );
  }
  await syncDir(dir);
}
