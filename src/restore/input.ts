/**
 * Where the script comes from: a file, `-` (stdin), gzip (by its magic bytes) or a .zip
 * holding one `.sql` (or `.sql.gz`) entry, streamed through yauzl. Nothing is read whole: the
 * consumer gets the script as a stream of chunks inside a `pipeline`, which tears every stage
 * down on error.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { EventEmitter } from 'node:events';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ExporterError, isExporterError } from '../errors.js';
import { printable } from './messages.js';
import { readPooled } from './pooled-file.js';
import type * as ZipInput from './zip-input.js';

export type Consume = (source: AsyncIterable<unknown>) => Promise<void>;
/** Resolves once bytes handed on from earlier chunks are no longer referenced (see pooled-file.ts). */
export type BeforeReuse = () => Promise<void>;

export interface ImportInput {
  /** The file name, or "stdin". */
  label: string;
  /** Size of what `bytesRead` counts, when known. */
  totalBytes: number | null;
  /** Compressed bytes read, when progress should count those; null: count script bytes. */
  bytesRead(): number | null;
  /** The path of an uncompressed file (it can be read at any offset too), else null. */
  plainPath?: string | null;
  run(consume: Consume, beforeReuse: BeforeReuse): Promise<void>;
  close(): Promise<void>;
}

type Kind = 'plain' | 'gzip' | 'zip';
const CHUNK = 1 << 20; // large reads and writes: fewer syscalls and COPY messages

/** `entry`: the dump to load from a zip archive that holds several. */
export async function openInput(spec: string, stdin: Readable, entry?: string): Promise<ImportInput> {
  if (spec === '-' && entry !== undefined) throw new ExporterError('INPUT_ERROR', '--entry needs the zip archive as a file, not on stdin');
  return spec === '-' ? stdinInput(stdin) : fileInput(spec, entry);
}

async function fileInput(path: string, wanted?: string): Promise<ImportInput> {
  const label = printable(basename(path));
  const info = await stat(path).catch((err: unknown) => {
    throw inputError(err, label);
  });
  if (!info.isFile()) throw new ExporterError('INPUT_ERROR', `${label} is not a regular file`);
  const head = await readHead(path, label);
  const kind = sniff(head, label);
  if (kind === 'plain' && /\.(gz|zip)$/i.test(path)) {
    throw new ExporterError('INPUT_ERROR', `${label} is named like a compressed file but holds no gzip or zip data`);
  }
  if (wanted !== undefined && kind !== 'zip') throw new ExporterError('INPUT_ERROR', `--entry applies to a zip archive, and ${label} is not one`);
  if (kind === 'zip') {
    // Loaded on demand: a plain file's import does not pay for yauzl.
    const { checkedEntry, closeZip, findDumpEntry, openEntryStream, openZip }: typeof ZipInput = await import('./zip-input.js');
    const zip = await openZip(path, label);
    try {
      const dump = await findDumpEntry(zip, label, wanted);
      const entry = dump.entry;
      const gz = /\.gz$/i.test(entry.fileName);
      return {
        label: `${label}:${printable(entry.fileName)}`,
        totalBytes: gz ? null : entry.uncompressedSize,
        bytesRead: () => null,
        run: async (consume) => {
          await runStages(label, checkedEntry(await openEntryStream(zip, entry, label), dump, label), gz, consume);
        },
        close: () => closeZip(zip),
      };
    } catch (err) {
      await closeZip(zip);
      throw err;
    }
  }
  let stream: ReadStream | null = null;
  let plainBytes = 0;
  return {
    label,
    plainPath: kind === 'plain' ? path : null,
    totalBytes: info.size,
    bytesRead: () => (kind === 'gzip' ? (stream?.bytesRead ?? 0) : plainBytes),
    run: async (consume, beforeReuse) => {
      if (kind === 'gzip') {
        stream = createReadStream(path, { highWaterMark: CHUNK });
        return runStages(label, stream, true, consume);
      }
      const chunks = readPooled(path, beforeReuse, (n) => (plainBytes += n));
      await runStages(label, chunks, false, consume, true);
    },
    close: () => Promise.resolve(),
  };
}

function stdinInput(stdin: Readable): ImportInput {
  return {
    label: 'stdin',
    totalBytes: null,
    bytesRead: () => null,
    run: async (consume) => {
      // Peek at the first bytes to spot gzip, then replay them ahead of the rest.
      const it = stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
      const head: Buffer[] = [];
      let size = 0;
      let done = false;
      while (size < 5 && !done) {
        const r = await it.next().catch((err: unknown) => {
          throw inputError(err, 'stdin');
        });
        if (r.done) done = true;
        else {
          head.push(r.value);
          size += r.value.length;
        }
      }
      const kind = sniff(Buffer.concat(head), 'stdin');
      if (kind === 'zip') throw new ExporterError('INPUT_ERROR', 'a .zip archive cannot be read from stdin (it needs random access): pass its path instead');
      stdin.on('error', () => undefined); // reported through the iterator
      await runStages('stdin', replay(head, done ? null : it), kind === 'gzip', consume).catch((err: unknown) => {
        throw stdinFailures(err);
      });
    },
    close: () => Promise.resolve(),
  };
}

/** A stdin failure surfaces from our replaying generator as a plain error with an errno code. */
function stdinFailures(err: unknown): unknown {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && !isExporterError(err) && /^(E[A-Z]+|Z_|ERR_ZLIB)/.test(code) ? inputError(err, 'stdin') : err;
}

async function* replay(head: Buffer[], rest: AsyncIterator<Buffer> | null): AsyncGenerator<Buffer> {
  yield* head;
  if (!rest) return;
  try {
    for (let r = await rest.next(); !r.done; r = await rest.next()) yield r.value;
  } finally {
    await rest.return?.();
  }
}

async function readHead(path: string, label: string): Promise<Buffer> {
  const fh = await open(path, 'r').catch((err: unknown) => {
    throw inputError(err, label);
  });
  try {
    const buf = Buffer.alloc(8);
    const { bytesRead } = await fh.read(buf, 0, 8, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

function sniff(head: Buffer, label: string): Kind {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6)) return 'zip';
  if (head.subarray(0, 5).toString('latin1') === 'PGDMP') {
    throw new ExporterError('INPUT_ERROR', `${label} is a pg_dump custom-format archive, not a plain SQL script: restore it with pg_restore`);
  }
  return 'plain';
}

/**
 * Runs source -> [gunzip] -> consumer in one pipeline. A failure of an input stage (read error,
 * corrupt or truncated gzip/zip) becomes one INPUT_ERROR naming the input; the consumer's own
 * errors pass through unchanged.
 */
async function runStages(label: string, source: Readable | AsyncIterable<Buffer>, gunzip: boolean, consume: Consume, pooled = false): Promise<void> {
  const failures = new WeakSet<object>();
  const watch = (s: NodeJS.EventEmitter): void => {
    s.on('error', (e: unknown) => {
      if (typeof e === 'object' && e !== null) failures.add(e);
    });
  };
  if (source instanceof EventEmitter) watch(source);
  // pipeline() rejects as soon as an input stage fails, while the consumer may still be running
  // a statement; the caller then rolls back. A statement the consumer sends after that ROLLBACK
  // would run on its own and stay committed, so the failure is only reported once it stopped.
  let consuming: Promise<void> | null = null;
  const tracked: Consume = (s) => (consuming = consume(s));
  try {
    if (pooled) await pipeline(source, tracked);
    else {
      // Loaded on demand: a plain file's chunks are reused buffers that need no pacing.
      const { paced } = await import('./gc-pacer.js');
      if (gunzip) {
        const z = createGunzip({ chunkSize: CHUNK });
        watch(z);
        await pipeline(source, z, paced, tracked);
      } else await pipeline(source, paced, tracked);
    }
  } catch (err) {
    await (consuming as Promise<void> | null)?.catch(() => undefined);
    if (typeof err === 'object' && err !== null && failures.has(err)) throw inputError(err, label);
    throw err;
  } finally {
    // A generator source (the pooled file reader) left suspended by a failed import would keep
    // its file open until the garbage collector closes it ("Closing file descriptor" warnings).
    if (!(source instanceof EventEmitter)) await (source as AsyncGenerator<Buffer>).return?.(undefined)?.catch(() => undefined);
  }
}

export function inputError(err: unknown, label: string): ExporterError {
  if (isExporterError(err)) return err;
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);
  if (code === 'ENOENT') return new ExporterError('INPUT_ERROR', `${label}: no such file`, { cause: err });
  if (code === 'EACCES') return new ExporterError('INPUT_ERROR', `${label}: permission denied`, { cause: err });
  if (code === 'EISDIR') return new ExporterError('INPUT_ERROR', `${label} is a directory`, { cause: err });
  if (code.startsWith('Z_') || code.startsWith('ERR_ZLIB')) {
    return new ExporterError('INPUT_ERROR', `the gzip data of ${label} is truncated or corrupt (${message})`, { cause: err });
  }
  return new ExporterError('INPUT_ERROR', `cannot read ${label}: ${printable(message)}`, { cause: err });
}
