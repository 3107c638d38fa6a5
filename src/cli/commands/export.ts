/** `fief-exporter export`: one workspace to a file (or stdout), never buffered. */
import { isAbsolute, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { parseDatabaseUrl } from '../../db/connection.js';
import { openWorkspaceDump, RunPool, type ExportOptions } from '../../dump/index.js';
import { ExporterError, UsageError } from '../../errors.js';
import { isUuid } from '../../legacy/workspaces.js';
import { openAllForCli, type OpenedExportFile } from '../export-all.js';
import { exitOnInterrupt, onInterrupt } from '../interrupt.js';
import { openOutputFile } from '../output-file.js';
import { encryptionKeyOption, requireOptions } from '../options.js';
import { progressReporter } from '../progress.js';
import { io, printErr, safe, untrusted } from '../io.js';
import { countOf } from '../../format.js';
import { importRecipe } from '../../import-recipe.js';

interface ExportFlags {
  databaseUrl?: string;
  encryptionKey?: string;
  encryptionKeyFile?: string;
  workspace?: string;
  all?: boolean;
  user?: string;
  skipFailed?: boolean;
  output?: string;
  force?: boolean;
  keepKey?: boolean;
  gzip?: boolean;
  targetSchema?: string;
  strict?: boolean;
  pruneDeadSecrets?: boolean;
}

export async function exportCommand(flags: ExportFlags): Promise<void> {
  // Every missing option at once; the key may come from --encryption-key-file instead.
  const keyFromFlagOrEnv = flags.encryptionKeyFile === undefined ? [{ value: flags.encryptionKey, flag: '--encryption-key', env: 'ENCRYPTION_KEY' }] : [];
  const [databaseUrl] = requireOptions([{ value: flags.databaseUrl, flag: '--database-url', env: 'DATABASE_URL' }, ...keyFromFlagOrEnv], selectionProblems(flags));
  const mainDatabase = parseDatabaseUrl(databaseUrl);
  const encryptionKey = encryptionKeyOption(flags, true) ?? '';
  if (flags.targetSchema !== undefined && flags.targetSchema.trim() === '') throw new UsageError('--target-schema must not be empty');
  const started = Date.now();
  const progress = progressReporter(io.stderr);
  const runs = new RunPool();
  const common = {
    runs,
    mainDatabase,
    encryptionKey,
    keepKey: flags.keepKey ?? false,
    strict: flags.strict ?? false,
    pruneDeadSecrets: flags.pruneDeadSecrets ?? false,
    ...(flags.targetSchema === undefined ? {} : { targetSchema: flags.targetSchema }),
  };
  const preflight = exitOnInterrupt((signal) => `export interrupted (${signal}) before the dump started; nothing was written`);
  const dump: OpenedExportFile = await (flags.all
    ? openAllForCli({ ...common, skipFailed: flags.skipFailed ?? false, ...(flags.user === undefined ? {} : { userSub: flags.user }) }, flags.output, progress)
    : openOne({ ...common, workspaceId: flags.workspace ?? '', gzip: flags.gzip ?? false, onProgress: progress.update })
  ).finally(() => preflight.dispose());
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
    const summary = await dump.summary;
    await output?.commit();
    progress.done();
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    printErr(`${summary.what} in ${seconds} s` + (toStdout ? '.\n' : safe` to ${path}.\n` + `${summary.keyNote}\n`));
    if (!toStdout && !flags.all) printErr(importHint(path));
  } catch (err) {
    progress.done();
    dump.stream.destroy();
    await output?.abort();
    if (err instanceof ExporterError) throw err;
    // A write error (disk full, closed pipe) is the cause; the engine's own error explains more otherwise.
    throw await dump.summary.then(
      () => err,
      (e: unknown) => ((err as NodeJS.ErrnoException).code ? new ExporterError('EXPORT_FAILED', `cannot write the dump: ${(err as Error).message}`) : e),
    );
  } finally {
    interrupt.dispose();
  }
}

/** The recipe for the file just written, named as from the current directory when it is below it. */
function importHint(path: string): string {
  const fromHere = relative(process.cwd(), path);
  const name = fromHere.startsWith('..') || isAbsolute(fromHere) ? path : fromHere;
  return `Import it into a new, empty database:\n${importRecipe(name).map((line) => `  ${untrusted(line)}\n`).join('')}`;
}

/** A mistake in choosing what to export, reported together with any missing option. */
function selectionProblems(flags: ExportFlags): string[] {
  try {
    checkSelection(flags);
    return [];
  } catch (err) {
    if (err instanceof UsageError) return [err.message];
    throw err;
  }
}

/** Exactly one of --workspace and --all; the options of the other mode are refused, not ignored. */
function checkSelection(flags: ExportFlags): void {
  if ((flags.workspace === undefined) === !flags.all) throw new UsageError('pass either --workspace <id> or --all');
  if (flags.all) {
    if (flags.gzip) throw new UsageError('--gzip does not apply to --all: the zip archive compresses every dump');
    if (flags.user !== undefined && !isUuid(flags.user)) throw new UsageError(`--user must be an account id (a UUID), got ${JSON.stringify(flags.user)}`);
    return;
  }
  if (flags.user !== undefined || flags.skipFailed) throw new UsageError('--user and --skip-failed apply only to --all');
  if (!isUuid(flags.workspace ?? '')) throw new UsageError(`--workspace must be a workspace id (a UUID), got ${JSON.stringify(flags.workspace)}`);
}

async function openOne(options: ExportOptions): Promise<OpenedExportFile> {
  const dump = await openWorkspaceDump(options);
  const summary = dump.result.then((s) => ({
    what: safe`Exported workspace "${dump.workspace.name}" (${countOf(s.tables.length, 'table')}, ${countOf(s.rows, 'row')})`,
    keyNote: 'Its ENCRYPTION_KEY is on line 1 of the file.',
  }));
  summary.catch(() => undefined);
  return { stream: dump.stream, filename: dump.filename, warnings: dump.warnings, summary };
}

export function register(program: Command): void {
  program
    .command('export')
    .description('Export one workspace to a psql-ready dump (fief_dump_<Name>.sql), or every workspace to one zip (--all)')
    .option('--database-url <url>', 'legacy main database (env DATABASE_URL)')
    .option('--encryption-key <key>', "the instance's ENCRYPTION_KEY (env ENCRYPTION_KEY; visible in ps: prefer the variable or --encryption-key-file)")
    .option('--encryption-key-file <path>', 'read the instance\'s ENCRYPTION_KEY from this file')
    .option('--workspace <id>', 'workspace id')
    .option('--all', 'every workspace, as one zip of dumps with README.txt and manifest.json')
    .option('--user <sub>', "with --all: only this account's workspaces")
    .option('--skip-failed', 'with --all: list a workspace that cannot be exported as skipped instead of failing')
    .option('-o, --output <file>', 'output file, or - for stdout (default: fief_dump_<Name>.sql, or fief_workspaces_<date>.zip with --all)')
    .option('--force', 'overwrite the output file if it exists')
    .option('--keep-key', 'write the instance key on line 1 and copy encrypted values unchanged (self-hosters)')
    .option('--gzip', 'gzip the output')
    .option('--target-schema <schema>', 'schema to create everything in', undefined)
    .option('--strict', 'fail on pre-flight warnings')
    .option('--prune-dead-secrets', 'leave out tokens, codes and sessions that die with the old SECRET')
    .action((flags: ExportFlags) => exportCommand(flags));
}
