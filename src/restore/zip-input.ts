/**
 * A .zip that carries a dump (as a browser download may): find its one `.sql` (or `.sql.gz`)
 * entry and stream it. yauzl reads the central directory, then inflates the entry as a stream
 * and checks its size and CRC at the end.
 */
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { ExporterError } from '../errors.js';
import { printable } from './messages.js';

const DUMP_ENTRY = /\.sql(\.gz)?$/i;

export async function openZip(path: string, label: string): Promise<yauzl.ZipFile> {
  try {
    return await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  } catch (err) {
    throw zipError(err, label);
  }
}

/** The single dump inside; ignores folders and macOS resource forks. */
export async function findDumpEntry(zip: yauzl.ZipFile, label: string): Promise<yauzl.Entry> {
  const found: yauzl.Entry[] = [];
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/') || entry.fileName.startsWith('__MACOSX/')) continue;
      if (DUMP_ENTRY.test(entry.fileName)) found.push(entry);
    }
  } catch (err) {
    throw zipError(err, label);
  }
  const [first] = found;
  if (!first) throw new ExporterError('INPUT_ERROR', `the zip archive ${label} holds no .sql file`);
  if (found.length > 1) {
    const names = found.slice(0, 3).map((e) => printable(e.fileName)).join(', ');
    throw new ExporterError('INPUT_ERROR', `the zip archive ${label} holds ${found.length} .sql files (${names}); expected one`);
  }
  if (first.isEncrypted()) throw new ExporterError('INPUT_ERROR', `the dump in ${label} is encrypted`);
  return first;
}

export async function openEntryStream(zip: yauzl.ZipFile, entry: yauzl.Entry, label: string): Promise<Readable> {
  try {
    return await zip.openReadStreamPromise(entry);
  } catch (err) {
    throw zipError(err, label);
  }
}

export function closeZip(zip: yauzl.ZipFile): Promise<void> {
  if (zip.isOpen) zip.close();
  return Promise.resolve();
}

function zipError(err: unknown, label: string): ExporterError {
  const message = err instanceof Error ? err.message : String(err);
  return new ExporterError('INPUT_ERROR', `${label} is not a readable zip archive (${printable(message)})`, { cause: err });
}
