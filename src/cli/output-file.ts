/**
 * Where `export -o PATH` writes. A dump's line 1 is a key, and the directory may be shared
 * (another user, another export to the same path), so:
 * - a FIFO or a character device (`-o /dev/stdout`, a named pipe) is written into as a stream,
 *   never replaced;
 * - otherwise the dump goes to a partial file of its own: a unique name, created exclusively,
 *   never through a symbolic link, mode 0600 whatever the umask or an existing file's mode;
 * - it is put in place only at the end: without --force only if PATH is still absent (a hard
 *   link cannot clobber), with --force only over a regular file (never a link, a directory or a
 *   device), atomically;
 * - on failure only that partial file is removed: another run's is never touched.
 */
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { link, lstat, rename, rm, stat, unlink } from 'node:fs/promises';
import type { RunPool } from '../dump/run-pool.js';
import { ExporterError } from '../errors.js';
import { FileSink } from './file-sink.js';

export interface OutputFile {
  sink: FileSink;
  /** The partial file, or null when writing into a FIFO or device. */
  partial: string | null;
  /** Puts the finished dump in place. */
  commit(): Promise<void>;
  /** Removes what this run wrote (its own partial file only). */
  abort(): Promise<void>;
}

const PARTIAL_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export async function openOutputFile(path: string, force: boolean, runs: RunPool): Promise<OutputFile> {
  const followed = await stat(path).catch(() => null);
  if (followed && (followed.isFIFO() || followed.isCharacterDevice())) {
    const sink = new FileSink(path, { flags: constants.O_WRONLY | constants.O_NOCTTY, mode: 0o600, runs });
    return { sink, partial: null, commit: () => Promise.resolve(), abort: () => Promise.resolve() };
  }
  await checkTarget(path, force);
  const partial = `${path}.${randomBytes(6).toString('hex')}.partial`;
  const sink = new FileSink(partial, { flags: PARTIAL_FLAGS, mode: 0o600, runs });
  return {
    sink,
    partial,
    commit: async () => {
      if (force && (await checkTarget(path, force))) await rename(partial, path);
      else {
        await link(partial, path).catch((err: NodeJS.ErrnoException) => {
          throw err.code === 'EEXIST' ? exists(path) : err;
        });
        await unlink(partial);
      }
    },
    abort: () => rm(partial, { force: true }),
  };
}

/** Whether PATH exists (then as a regular file, with --force); throws when it may not be replaced. */
async function checkTarget(path: string, force: boolean): Promise<boolean> {
  const current: Stats | null = await lstat(path).catch(() => null);
  if (!current) return false;
  if (!current.isFile()) throw new ExporterError('EXPORT_FAILED', `${path} is ${kindOf(current)}, not a regular file: export refuses to replace it; choose another file with -o`);
  if (!force) throw exists(path);
  return true;
}

function exists(path: string): ExporterError {
  return new ExporterError('EXPORT_FAILED', `${path} already exists; pass --force to overwrite it or -o to choose another file`);
}

function kindOf(s: Stats): string {
  if (s.isSymbolicLink()) return 'a symbolic link';
  if (s.isDirectory()) return 'a directory';
  if (s.isSocket()) return 'a socket';
  return 'a special file';
}
