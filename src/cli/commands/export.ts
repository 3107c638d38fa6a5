/** `fief-exporter export`: one workspace to a file (or stdout), never buffered. */
import { existsSync } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { parseDatabaseUrl } from '../../db/connection.js';
import { openWorkspaceDump, RunPool } from '../../dump/index.js';
import { ExporterError, UsageError } from '../../errors.js';
import { isUuid } from '../../legacy/workspaces.js';
import { FileSink } from '../file-sink.js';
import { onInterrupt } from '../interrupt.js';
import { requireOptions } from '../options.js';
import { progressReporter } from '../progress.js';
import { io } from '../io.js';
import { countOf } from '../../format.js';
import { importRecipe } from '../../import-recipe.js';

interface ExportFlags {
  databaseUrl?: string;
  encryptionKey?: string;
  workspace?: string;
  output?: string;
  force?: boolean;
  keepKey?: boolean;
  gzip?: boolean;
  targetSchema?: string;
  strict?: boolean;
  pruneDeadSecrets?: boolean;
}

/** The recipe for the file just written, named as from the current directory when it is below it. */
function importHint(path: string): string {
  const fromHere = relative(process.cwd(), path);
  const name = fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
  return `Import it into a new, empty database:\n${importRecipe(name).map((line) => `  ${line}\n`).join('')}`;
}

export async function exportCommand(flags: ExportFlags, stderr: NodeJS.WritableStream = io.stderr): Promise<void> {
  const [databaseUrl, encryptionKey, workspace] = requireOptions([
    { value: flags.databaseUrl, flag: '--database-url', env: 'DATABASE_URL' },
    { value: flags.encryptionKey, flag: '--encryption-key', env: 'ENCRYPTION_KEY' },
    { value: flags.workspace, flag: '--workspace' },
  ]);
  const mainDatabase = parseDatabaseUrl(databaseUrl);
  if (!isUuid(workspace)) throw new UsageError(`--workspace must be a workspace id (a UUID), got ${JSON.stringify(flags.workspace)}`);
  if (flags.targetSchema !== undefined && flags.targetSchema.trim() === '') throw new UsageError('--target-schema must not be empty');
  const started = Date.now();
  const progress = progressReporter(stderr);
  const runs = new RunPool();
  const dump = await openWorkspaceDump({
    runs,
    mainDatabase,
    encryptionKey,
    workspaceId: workspace,
    keepKey: flags.keepKey ?? false,
    gzip: flags.gzip ?? false,
    strict: flags.strict ?? false,
    pruneDeadSecrets: flags.pruneDeadSecrets ?? false,
    ...(flags.targetSchema === undefined ? {} : { targetSchema: flags.targetSchema }),
    onProgress: progress.update,
  });
  for (const w of dump.warnings) stderr.write(`warning: ${w}\n`);

  const toStdout = flags.output === '-';
  const path = resolve(flags.output ?? dump.filename);
  // Written under a temporary name and renamed at the end: a failed export never leaves a
  // file that looks like a finished dump. Mode 0600: line 1 holds a key.
  const partial = `${path}.partial`;
  if (!toStdout && !flags.force && existsSync(path)) {
    dump.stream.destroy();
    throw new ExporterError('EXPORT_FAILED', `${path} already exists; pass --force to overwrite it or -o to choose another file`);
  }
  const interrupt = onInterrupt((signal) =>
    dump.stream.destroy(new ExporterError('EXPORT_FAILED', `export interrupted (${signal})${toStdout ? '' : `; ${path} was not written`}`)),
  );
  try {
    if (toStdout) {
      await pipeline(dump.stream, process.stdout);
    } else {
      await pipeline(dump.stream, new FileSink(partial, { flags: flags.force ? 'w' : 'wx', mode: 0o600, runs }));
    }
    const summary = await dump.result;
    if (!toStdout) await rename(partial, path);
    progress.done();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    stderr.write(
      `Exported workspace "${dump.workspace.name}" (${countOf(summary.tables.length, 'table')}, ${countOf(summary.rows, 'row')}) in ${seconds} s` +
        (toStdout ? '.\n' : ` to ${path}.\nIts ENCRYPTION_KEY is on line 1 of the file.\n${importHint(path)}`),
    );
  } catch (err) {
    progress.done();
    dump.stream.destroy();
    if (!toStdout) await rm(partial, { force: true });
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new ExporterError('EXPORT_FAILED', `${partial} already exists (another export running? remove it or pass --force)`);
    }
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
    .option('--workspace <id>', 'workspace id (required)')
    .option('-o, --output <file>', 'output file, or - for stdout (default: fief_dump_<Name>.sql)')
    .option('--force', 'overwrite the output file if it exists')
    .option('--keep-key', 'write the instance key on line 1 and copy encrypted values unchanged (self-hosters)')
    .option('--gzip', 'gzip the output')
    .option('--target-schema <schema>', 'schema to create everything in', undefined)
    .option('--strict', 'fail on pre-flight warnings')
    .option('--prune-dead-secrets', 'leave out tokens, codes and sessions that die with the old SECRET')
    .action((flags: ExportFlags) => exportCommand(flags));
}
