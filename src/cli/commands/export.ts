/** `fief-exporter export`: one workspace to a file (or stdout), never buffered. */
import { resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { parseDatabaseUrl } from '../../db/connection.js';
import { openWorkspaceDump, RunPool } from '../../dump/index.js';
import { ExporterError, UsageError } from '../../errors.js';
import { isUuid } from '../../legacy/workspaces.js';
import { onInterrupt } from '../interrupt.js';
import { openOutputFile } from '../output-file.js';
import { requireOption } from '../options.js';
import { progressReporter } from '../progress.js';
import { io, printErr, safe } from '../io.js';

interface ExportFlags {
  databaseUrl?: string;
  encryptionKey?: string;
  workspace: string;
  output?: string;
  force?: boolean;
  keepKey?: boolean;
  gzip?: boolean;
  targetSchema?: string;
  strict?: boolean;
  pruneDeadSecrets?: boolean;
}

export async function exportCommand(flags: ExportFlags): Promise<void> {
  const mainDatabase = parseDatabaseUrl(requireOption(flags.databaseUrl, '--database-url', 'DATABASE_URL'));
  const encryptionKey = requireOption(flags.encryptionKey, '--encryption-key', 'ENCRYPTION_KEY');
  if (!isUuid(flags.workspace)) throw new UsageError(`--workspace must be a workspace id (a UUID), got ${JSON.stringify(flags.workspace)}`);
  if (flags.targetSchema !== undefined && flags.targetSchema.trim() === '') throw new UsageError('--target-schema must not be empty');
  const started = Date.now();
  const progress = progressReporter(io.stderr);
  const runs = new RunPool();
  const dump = await openWorkspaceDump({
    runs,
    mainDatabase,
    encryptionKey,
    workspaceId: flags.workspace,
    keepKey: flags.keepKey ?? false,
    gzip: flags.gzip ?? false,
    strict: flags.strict ?? false,
    pruneDeadSecrets: flags.pruneDeadSecrets ?? false,
    ...(flags.targetSchema === undefined ? {} : { targetSchema: flags.targetSchema }),
    onProgress: progress.update,
  });
  for (const w of dump.warnings) printErr(safe`warning: ${w}\n`);

  const toStdout = flags.output === '-';
  const path = resolve(flags.output ?? dump.filename);
  // A partial file of its own, put in place at the end (see output-file.ts): a failed export
  // never leaves a file that looks like a finished dump.
  const output = toStdout ? null : await openOutputFile(path, flags.force ?? false, runs).catch((err: unknown) => {
    dump.stream.destroy();
    throw err;
  });
  const interrupt = onInterrupt((signal) =>
    dump.stream.destroy(new ExporterError('EXPORT_FAILED', `export interrupted (${signal})${toStdout ? '' : `; ${path} was not written`}`)),
  );
  try {
    await pipeline(dump.stream, output ? output.sink : io.stdout);
    const summary = await dump.result;
    await output?.commit();
    progress.done();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    printErr(
      safe`Exported workspace "${dump.workspace.name}" (${summary.tables.length} tables, ${summary.rows} rows) in ${seconds} s` +
        (toStdout ? '.\n' : safe` to ${path}.\nIts ENCRYPTION_KEY is on line 1 of the file.\n`),
    );
  } catch (err) {
    progress.done();
    dump.stream.destroy();
    await output?.abort();
    if (err instanceof ExporterError) throw err;
    // A write error (disk full, closed pipe) is the cause; the engine's own error explains more otherwise.
    throw await dump.result.then(
      () => err,
      (e: unknown) => ((err as NodeJS.ErrnoException).code ? new ExporterError('EXPORT_FAILED', `cannot write the dump: ${(err as Error).message}`) : e),
    );
  } finally {
    interrupt.dispose();
  }
}

export function register(program: Command): void {
  program
    .command('export')
    .description('Export one workspace to a psql-ready dump (fief_dump_<Name>.sql)')
    .option('--database-url <url>', 'legacy main database (env DATABASE_URL)')
    .option('--encryption-key <key>', "the instance's ENCRYPTION_KEY (env ENCRYPTION_KEY)")
    .requiredOption('--workspace <id>', 'workspace id')
    .option('-o, --output <file>', 'output file, or - for stdout (default: fief_dump_<Name>.sql)')
    .option('--force', 'overwrite the output file if it exists')
    .option('--keep-key', 'write the instance key on line 1 and copy encrypted values unchanged (self-hosters)')
    .option('--gzip', 'gzip the output')
    .option('--target-schema <schema>', 'schema to create everything in', undefined)
    .option('--strict', 'fail on pre-flight warnings')
    .option('--prune-dead-secrets', 'leave out tokens, codes and sessions that die with the old SECRET')
    .action((flags: ExportFlags) => exportCommand(flags));
}
