/**
 * A .zip that carries dumps (a browser download, or `export --all`'s archive): find the dump
 * to load (the only one, or the one named with --entry) and stream it. yauzl reads the central
 * directory, then inflates the entry as a stream and checks its size and CRC at the end. When
 * the archive has our manifest.json listing that entry, its SHA-256 is checked too, before the
 * import may commit.
 */
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';
import { expectedEntry } from '../archive/manifest.js';
import { MANIFEST_ENTRY } from '../archive/entry-names.js';
import { ExporterError } from '../errors.js';
import { printable } from './messages.js';

const DUMP_ENTRY = /\.sql(\.gz)?$/i;
const MANIFEST_MAX_BYTES = 4 * 1024 * 1024;
const LISTED = 50;

export interface ZipDump {
  entry: yauzl.Entry;
  /** From manifest.json, when the archive has ours and it lists this entry. */
  expected: { sha256: string; bytes: number } | null;
}

export async function openZip(path: string, label: string): Promise<yauzl.ZipFile> {
  try {
    return await yauzl.openPromise(path, { lazyEntries: true, autoClose: false });
  } catch (err) {
    throw zipError(err, label);
  }
}

function listing(entries: yauzl.Entry[]): string {
  const names = entries.slice(0, LISTED).map((e) => printable(e.fileName));
  return names.join(', ') + (entries.length > LISTED ? ` and ${entries.length - LISTED} more` : '');
}

/** The dump to load (the only one, or `wanted`); ignores folders and macOS resource forks. */
export async function findDumpEntry(zip: yauzl.ZipFile, label: string, wanted?: string): Promise<ZipDump> {
  const found: yauzl.Entry[] = [];
  let manifest: yauzl.Entry | undefined;
  let chosen: yauzl.Entry | undefined;
  try {
    for await (const entry of zip.eachEntry()) {
      if (entry.fileName.endsWith('/') || entry.fileName.startsWith('__MACOSX/')) continue;
      if (entry.fileName === MANIFEST_ENTRY) manifest = entry;
      if (wanted !== undefined && entry.fileName === wanted) chosen = entry;
      if (DUMP_ENTRY.test(entry.fileName)) found.push(entry);
    }
  } catch (err) {
    throw zipError(err, label);
  }
  if (wanted !== undefined && !chosen) {
    throw new ExporterError('INPUT_ERROR', `the zip archive ${label} has no entry ${JSON.stringify(printable(wanted))}; its dumps: ${listing(found) || 'none'}`);
  }
  if (!chosen) {
    if (found.length === 0) throw new ExporterError('INPUT_ERROR', `the zip archive ${label} holds no .sql file`);
    if (found.length > 1) {
      throw new ExporterError('INPUT_ERROR', `the zip archive ${label} holds ${found.length} dumps (${listing(found)}); choose one with --entry <name>`);
    }
    chosen = found[0]!;
  }
  if (chosen.isEncrypted()) throw new ExporterError('INPUT_ERROR', `the dump in ${label} is encrypted`);
  const expected = manifest ? expectedEntry(await readManifest(zip, manifest, label), chosen.fileName) : null;
  return { entry: chosen, expected };
}

async function readManifest(zip: yauzl.ZipFile, entry: yauzl.Entry, label: string): Promise<unknown> {
  if (entry.uncompressedSize > MANIFEST_MAX_BYTES) return null;
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of await openEntryStream(zip, entry, label)) chunks.push(chunk as Buffer);
  } catch (err) {
    throw zipError(err, label);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    return null; // not our manifest: nothing to check against
  }
}

export async function openEntryStream(zip: yauzl.ZipFile, entry: yauzl.Entry, label: string): Promise<Readable> {
  try {
    return await zip.openReadStreamPromise(entry);
  } catch (err) {
    throw zipError(err, label);
  }
}

/**
 * The entry's bytes, then (after the last one, so before the import's COMMIT) the verdict of
 * manifest.json: a dump that does not match it fails the import.
 */
export async function* checkedEntry(stream: Readable, dump: ZipDump, label: string): AsyncGenerator<Buffer> {
  // Only a manifest gives a hash to check (a zip made elsewhere has none): no hashing without one.
  const hash = dump.expected ? createHash('sha256') : null;
  let bytes = 0;
  try {
    for await (const chunk of stream) {
      hash?.update(chunk as Buffer);
      bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  } catch (err) {
    throw zipError(err, label);
  } finally {
    stream.destroy();
  }
  const expected = dump.expected;
  if (expected && (bytes !== expected.bytes || hash?.digest('hex') !== expected.sha256)) {
    throw new ExporterError('IMPORT_VERIFY_FAILED', `${printable(dump.entry.fileName)} in ${label} does not match its SHA-256 in manifest.json (the file was changed or damaged)`);
  }
}

export function closeZip(zip: yauzl.ZipFile): Promise<void> {
  if (zip.isOpen) zip.close();
  return Promise.resolve();
}

function zipError(err: unknown, label: string): ExporterError {
  if (err instanceof ExporterError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new ExporterError('INPUT_ERROR', `${label} is not a readable zip archive (${printable(message)})`, { cause: err });
}
