/**
 * `importDump`: replays a dump file (or stdin) into PostgreSQL, psql-style, in one transaction
 * by default, verifying dumps in our format before committing. What the CLI and the tests call.
 */
import type { Readable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { ExporterError, isExporterError } from '../errors.js';
import { describeTarget, withClient, type ClientConfig } from '../db/connection.js';
import { openInput } from './input.js';
import type { ImportJob, ImportPhase } from './phase.js';
import { importError, noticeText } from './messages.js';
import { Replay } from './replay.js';
import { ScriptReader } from './script-reader.js';
import { ServerSession } from './server-session.js';

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
  try {
    return await withClient(config, async (client) => {
      client.on('notice', (n) => options.onNotice?.(noticeText(n.severity, n.message)));
      const server = new ServerSession(client);
      let reader: ScriptReader | null = null;
      let replay: Replay | null = null;
      let last = 0;
      let shown = '';
      const report = (table: string | null, rows: number, force = false): void => {
        const now = performance.now();
        const r = replay;
        const phase = r?.phase ?? 'schema';
        const step = r?.step ?? 0;
        // A new phase or step shows at once: an index build may hold the line for minutes.
        const changed = `${phase} ${step}` !== shown;
        if (!options.onProgress || (!force && !changed && now - last < PROGRESS_EVERY_MS)) return;
        last = now;
        shown = `${phase} ${step}`;
        const bytesRead = input.bytesRead() ?? reader?.bytesRead ?? 0;
        const jobs = r?.jobs ?? [];
        options.onProgress({ phase, step, jobs, bytesRead, totalBytes: input.totalBytes, table, rows, seconds: (now - started) / 1000 });
      };
      try {
        await input.run(async (source) => {
          reader = new ScriptReader(source[Symbol.asyncIterator]());
          if (options.maxStatementSize) reader.sql.stmt.maxBytes = options.maxStatementSize;
          replay = new Replay(server, reader, { singleTransaction: single, clean: options.clean ?? false, onActivity: report });
          await replay.run();
        }, () => server.flushed());
        (replay as Replay | null)?.enter('committing');
        await (replay as Replay | null)?.commit();
      } catch (err) {
        await server.rollback();
        throw explain(err, replay, reader, single);
      }
      const done: Replay = replay ?? unreachable();
      report(null, done.rows, true);
      return {
        format: done.format.ours ? 'fief' : 'plain',
        encryptionKeyOnLine1: done.format.keyOnLine1,
        tables: done.tables,
        rows: done.rows,
        statements: done.statements,
        bytes: (reader as ScriptReader | null)?.bytesRead ?? 0,
        seconds: (performance.now() - started) / 1000,
        dropped: done.dropped,
        target: targetLabel(config),
      };
    });
  } finally {
    await input.close();
  }
}

/** One sentence: what failed, where, and what that means for the target. */
function explain(err: unknown, replay: Replay | null, reader: ScriptReader | null, single: boolean): ExporterError {
  let e = isExporterError(err) ? err : importError('IMPORT_FAILED', `line ${reader?.line ?? 0}: ${err instanceof Error ? err.message : String(err)}`, err);
  if (replay?.format.ours && reader?.atEnd && e.code === 'IMPORT_PARSE_ERROR') {
    e = importError('IMPORT_TRUNCATED', `the dump is truncated: ${e.message}`, err);
  }
  if (e.code === 'INPUT_ERROR' && reader) e = importError('INPUT_ERROR', `${e.message} (after line ${reader.line})`, err);
  if (!replay) return e; // nothing was sent to the server
  const outcome = single || !replay.committed ? 'the target database is unchanged' : 'statements committed before that point stay applied (--no-single-transaction)';
  return importError(e.code, `${e.message}; ${outcome}`, err);
}

/** Where the import went, without secrets; pg fills unset fields from the libpq variables. */
function targetLabel(config: ClientConfig): string {
  if (config.connectionString) return describeTarget(config);
  const env = process.env;
  return describeTarget({ host: env.PGHOST ?? 'localhost', port: Number(env.PGPORT ?? 5432), database: env.PGDATABASE ?? env.PGUSER ?? env.USER ?? '' });
}

function unreachable(): never {
  throw new ExporterError('IMPORT_FAILED', 'the import ended without running');
}
