/**
 * `fief-exporter import [FILE|-]`: replays a dump into PostgreSQL (see src/restore). Progress
 * goes to stderr when it is a terminal; the summary and next steps to stdout.
 */
import type { Command } from 'commander';
import { parseDatabaseUrl, type ClientConfig } from '../../db/connection.js';
import { UsageError } from '../../errors.js';
import { exitCodeOf } from '../../signal-exit.js';
import { onInterrupt } from '../interrupt.js';
import type { ImportSummary } from '../../restore/index.js';
import { countOf } from '../../format.js';
import type { ProgressView } from '../progress-view.js';
import { io, print, printErr, untrusted } from '../io.js';
import { parseSize } from '../options.js';

interface ImportCliOptions {
  databaseUrl?: string;
  clean?: boolean;
  entry?: string;
  singleTransaction: boolean;
  jobs?: number;
  maxStatementSize?: string;
}

export function register(program: Command): void {
  program
    .command('import')
    .description('Load a dump (.sql, .sql.gz or .zip; - for stdin) into PostgreSQL like `psql -1 -v ON_ERROR_STOP=1 -f`, verifying fief-exporter dumps before committing')
    .argument('[file]', 'the dump file, or - to read stdin')
    .option('--database-url <url>', 'target database (default: the libpq variables PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD)')
    .option('--entry <name>', 'the dump to load from a zip archive that holds several (fief_dump_<Name>.sql)')
    .option('--clean', 'drop existing fief_ tables and fief_ enum types in the target schema first, in the same transaction')
    .option('--jobs <n>', "sessions loading a fief-exporter dump in parallel (default: what the server and machine can take; 1: one transaction, like psql -1)", parseJobs)
    .option('--max-statement-size <size>', 'longest statement outside COPY data, e.g. 64MiB (the default): a file with an unterminated quote stops there')
    .option('--no-single-transaction', "run statements as written, like psql without -1 (the dump's own BEGIN/COMMIT still apply)")
    .action(async (file: string | undefined, opts: ImportCliOptions) => {
      await runImport(file, opts);
    });
}

async function runImport(file: string | undefined, opts: ImportCliOptions): Promise<void> {
  if (file === undefined) {
    if (process.stdin.isTTY) throw new UsageError('missing FILE (a .sql, .sql.gz or .zip dump, or - to read stdin)');
    file = '-';
  }
  const database = opts.databaseUrl !== undefined ? databaseConfig(opts.databaseUrl) : undefined;
  const maxStatementSize = opts.maxStatementSize === undefined ? undefined : parseSize(opts.maxStatementSize, '--max-statement-size');
  const tty = io.stderr as NodeJS.WriteStream;
  // The progress view, like the importer below, is loaded only when it is used.
  const bar: ProgressView | null = tty.isTTY ? new (await import('../progress-view.js')).ProgressView(tty) : null;
  // Loaded on demand, so other commands do not pay for pg-copy-streams and yauzl.
  const { importDump } = await import('../../restore/import-dump.js');
  let summary: ImportSummary;
  // Ctrl-C stops the import as a failure does (rolled back, the staging schema dropped), then
  // exits 130 (143 for SIGTERM) saying what it stopped.
  const controller = new AbortController();
  const interrupt = onInterrupt((signal) => controller.abort(signal));
  try {
    summary = await importDump({
      file,
      ...(opts.entry === undefined ? {} : { entry: opts.entry }),
      database,
      clean: opts.clean ?? false,
      singleTransaction: opts.singleTransaction,
      jobs: opts.jobs,
      signal: controller.signal,
      maxStatementSize,
      onProgress: bar ? (p) => bar.show(p) : undefined,
      onNotice: (m) => {
        bar?.clear();
        printErr(`${untrusted(m)}\n`);
      },
    });
  } catch (err) {
    if (!controller.signal.aborted) throw err;
    bar?.clear();
    const signal = String(controller.signal.reason);
    printErr(
      `fief-exporter: import interrupted (${signal}); ${opts.singleTransaction ? 'the target database is unchanged' : 'statements committed before that point stay applied (--no-single-transaction)'}\n`,
    );
    process.exit(exitCodeOf(signal));
  } finally {
    interrupt.dispose();
    bar?.clear();
  }
  print(summaryText(summary));
}

function parseJobs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > 64) throw new UsageError(`--jobs takes a whole number from 1 to 64 (got ${value})`);
  return n;
}

/** A malformed URL is a mistake in the command line: exit 2, not 1. */
function databaseConfig(url: string): ClientConfig {
  try {
    return parseDatabaseUrl(url, '--database-url');
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

function summaryText(s: ImportSummary): string {
  const lines = [
    `Imported ${countOf(s.tables, 'table')}, ${countOf(s.rows, 'row')} (${countOf(s.statements, 'statement')}) into ${s.target} in ${s.seconds.toFixed(1)} s.`,
  ];
  if (s.dropped.length > 0) lines.push(`--clean dropped ${countOf(s.dropped.length, 'existing object')} first.`);
  if (s.format === 'fief') {
    lines.push('Every table matched its row count and checksum from the dump before the commit.', '', 'Next steps:');
    lines.push(
      s.encryptionKeyOnLine1
        ? '  1. Set ENCRYPTION_KEY in Fief\'s environment to the value on line 1 of the file (after "-- ENCRYPTION_KEY=").'
        : '  1. Set ENCRYPTION_KEY in Fief\'s environment to the key the dump was exported with.',
      '  2. Start Fief >= 0.28 on this database.',
      '  3. Run `fief grant-admin-role <email>` to make yourself an administrator.',
      '  4. Recreate the admin API keys: they are not carried over.',
    );
  }
  return `${lines.join('\n')}\n`;
}
