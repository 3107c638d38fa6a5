/**
 * `importDump`: replays a dump file (or stdin) into PostgreSQL, psql-style, in one transaction
 * by default, verifying dumps in our format before committing. What the CLI and the tests call.
 */
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { ExporterError, isExporterError } from '../errors.js';
import { clientTarget, withClient, type ClientConfig } from '../db/connection.js';
import { openInput } from './input.js';
import type { ImportJob, ImportPhase } from './phase.js';
import { importError, noticeText } from './messages.js';
import { Replay } from './replay.js';
import { ScriptReader } from './script-reader.js';
import { ServerSession } from './server-session.js';
import { choosePath } from './parallel/choose-path.js';
import type { ParallelLoad } from './parallel/parallel-load.js';
import { dropAbandonedStaging } from './parallel/staging.js';

export interface ImportOptions {
  /** A path (.sql, .sql.gz, .zip) or `-` for `stdin`. */
  file: string;
  /** The dump to load from a zip archive that holds several (`export --all`). */
  entry?: string;
  /** The target; omitted: pg's defaults, i.e. the libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD. */
  database?: ClientConfig;
  /** Drop existing fief_ tables and enum types in the target schema (inside the transaction). */
  clean?: boolean;
  /** Default true: one transaction for the whole script (psql -1). */
  singleTransaction?: boolean;
  /**
   * Sessions of a parallel load of a dump of ours (docs/import.md); omitted: what the server and
   * machine can take; 1: the single-session replay. Other scripts always take that path.
   */
  jobs?: number;
  /** Aborting it stops the import as a failure does (the target unchanged). */
  signal?: AbortSignal;
  stdin?: Readable;
  /** Throttled progress reports (about ten a second). */
  onProgress?: (progress: ImportProgress) => void;
  /** Longest statement (outside COPY data) in bytes; default 64 MiB. */
  maxStatementSize?: number;
  /** Server NOTICE/WARNING messages, as psql prints them. */
  onNotice?: (message: string) => void;
}

export interface ImportProgress {
  /** What the import is doing; `step` counts the statements of that phase so far (indexes built, ...). */
  phase: ImportPhase;
  step: number;
  /** The tables loading now, each with its rows so far (a parallel import has several). */
  jobs: ImportJob[];
  bytesRead: number;
  totalBytes: number | null;
  /** The table whose COPY data is streaming, or null between COPY blocks. */
  table: string | null;
  /** Rows loaded so far, all tables. */
  rows: number;
  seconds: number;
}

export interface ImportSummary {
  /** 'fief': our format (version 1 or 2), verified before commit; 'plain': any other SQL script (pg_dump). */
  format: 'fief' | 'plain';
  /** Line 1 of the file holds `-- ENCRYPTION_KEY=` (its value is never read into the summary). */
  encryptionKeyOnLine1: boolean;
  tables: number;
  rows: number;
  statements: number;
  bytes: number;
  seconds: number;
  /** Sessions that loaded it: more than 1 for a parallel load, 1 for the single-session replay. */
  jobs: number;
  /** Objects removed by `clean`. */
  dropped: string[];
  target: string;
}

const PROGRESS_EVERY_MS = 100;

export async function importDump(options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const single = options.singleTransaction ?? true;
  const config = options.database ?? {};
  const input = await openInput(options.file, options.stdin ?? process.stdin, options.entry);
  // Made before connecting, the session hears the settings the server reports at startup.
  let session: ServerSession | undefined;
  try {
    return await withClient(config, async (client) => {
      client.on('notice', (n) => options.onNotice?.(noticeText(n.severity, n.message)));
      const server = session ?? new ServerSession(client);
      let reader: ScriptReader | null = null;
      let replay: Replay | ParallelLoad | null = null;
      let parallel: ParallelLoad | null = null;
      const interrupted = (): void => {
        if (parallel) parallel.interrupt();
        else client.connection.stream.destroy(); // the server rolls the transaction back
      };
      options.signal?.addEventListener('abort', interrupted, { once: true });
      for (const name of await dropAbandonedStaging(client)) {
        options.onNotice?.(`removed the staging schema ${name}, left behind by an import that was interrupted`);
      }
      let last = 0;
      let shown = '';
      const report = (table: string | null, rows: number, force = false): void => {
        const now = performance.now();
        // A parallel load reports what each of its job sessions does; the replay its phase.
        const r = parallel ? null : (replay as Replay | null);
        const phase: ImportPhase = parallel ? 'loading' : (r?.phase ?? 'schema');
        const step = r?.step ?? 0;
        const jobs: ImportJob[] = parallel ? parallel.jobActivity().flatMap((j) => (j.task === null ? [] : [{ table: `[${j.job}] ${j.task}` }])) : (r?.jobs ?? []);
        // A new phase or step shows at once: an index build may hold the line for minutes.
        const changed = `${phase} ${step}` !== shown;
        if (!options.onProgress || (!force && !changed && now - last < PROGRESS_EVERY_MS)) return;
        last = now;
        shown = `${phase} ${step}`;
        const bytesRead = input.bytesRead() ?? reader?.bytesRead ?? 0;
        options.onProgress({ phase, step, jobs, bytesRead, totalBytes: input.totalBytes, table, rows, seconds: (now - started) / 1000 });
      };
      try {
        await input.run(async (source) => {
          reader = new ScriptReader(source[Symbol.asyncIterator]());
          if (options.maxStatementSize) reader.sql.stmt.maxBytes = options.maxStatementSize;
          await server.readSettings();
          reader.sql.standardStrings = server.standardStrings;
          const path = await choosePath(reader, client, options.jobs, single);
          if (path.jobs > 1) {
            const clean = options.clean ?? false;
            // Loaded only here: a pg_dump file (the replay) does not pay for the parallel path's modules.
            const [{ ParallelLoad }, { readPostDataTail }] = await Promise.all([import('./parallel/parallel-load.js'), import('./parallel/post-data-tail.js')]);
            const tail = input.plainPath ? await readPostDataTail(input.plainPath) : null;
            replay = parallel = new ParallelLoad(server, reader, { database: config, jobs: path.jobs, clean, tail, onActivity: report }, path.format);
            if (await parallel.run()) return;
            replay = parallel = null; // not of our engine's layout: replayed as any script
          }
          replay = new Replay(server, reader, { singleTransaction: single, clean: options.clean ?? false, onActivity: report });
          await replay.run();
        }, () => (parallel ? parallel.flushed() : server.flushed()));
        if (!parallel) (replay as Replay | null)?.enter('committing');
        await (replay as Replay | ParallelLoad | null)?.commit();
      } catch (err) {
        await server.rollback();
        await (parallel as ParallelLoad | null)?.abort();
        const reason = options.signal?.aborted ? importError('IMPORT_FAILED', `the import was interrupted (${String(options.signal.reason)})`) : err;
        throw explain(reason, replay, reader, single);
      } finally {
        options.signal?.removeEventListener('abort', interrupted);
      }
      const done = (replay as Replay | ParallelLoad | null) ?? unreachable();
      report(null, done.rows, true);
      return {
        format: done.format.ours ? 'fief' : 'plain',
        encryptionKeyOnLine1: done.format.keyOnLine1,
        tables: done.tables,
        rows: done.rows,
        statements: done.statements,
        bytes: (reader as ScriptReader | null)?.bytesRead ?? 0,
        seconds: (performance.now() - started) / 1000,
        jobs: (parallel as ParallelLoad | null)?.jobCount ?? 1,
        dropped: done.dropped,
        target: clientTarget(client),
      };
    }, (client) => (session = new ServerSession(client)));
  } finally {
    await input.close();
  }
}

/** One sentence: what failed, where, and what that means for the target. */
function explain(err: unknown, replay: Replay | ParallelLoad | null, reader: ScriptReader | null, single: boolean): ExporterError {
  let e = isExporterError(err) ? err : importError('IMPORT_FAILED', `line ${reader?.line ?? 0}: ${err instanceof Error ? err.message : String(err)}`, err);
  if (replay?.format.ours && reader?.atEnd && e.code === 'IMPORT_PARSE_ERROR') {
    e = importError('IMPORT_TRUNCATED', `the dump is truncated: ${e.message}`, err);
  }
  if (e.code === 'INPUT_ERROR' && reader) e = importError('INPUT_ERROR', `${e.message} (after line ${reader.line})`, err);
  if (!replay) return e; // nothing was sent to the server
  const outcome = single || !replay.committed ? 'the target database is unchanged' : 'statements committed before that point stay applied (--no-single-transaction)';
  return importError(e.code, `${e.message}; ${outcome}`, err);
}

function unreachable(): never {
  throw new ExporterError('IMPORT_FAILED', 'the import ended without running');
}
