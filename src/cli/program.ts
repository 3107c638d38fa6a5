/**
 * The CLI is a thin shell over plain command functions: each `src/cli/commands/*.ts` parses
 * its options and calls domain code, so the same code is tested without a process.
 */
import { Command, CommanderError } from 'commander';
import { isExporterError, UsageError } from '../errors.js';
import { VERSION } from '../version.js';
import { io, printErr, untrusted } from './io.js';
import { registerCommands } from './commands/index.js';

export async function buildProgram(argv: readonly string[], stderr: NodeJS.WritableStream = io.stderr): Promise<Command> {
  // Output settings first: subcommands copy them when they are created.
  const program = new Command('fief-exporter')
    .description('Export a legacy (pre-0.28) Fief workspace to a psql-ready PostgreSQL dump, and import it.')
    .version(VERSION)
    .configureOutput({ writeErr: (s) => stderr.write(s) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  await registerCommands(program, argv);
  return program;
}

/** Runs the CLI and returns the exit code: 0 ok, 1 failure, 2 usage. Never prints a stack trace. */
export async function runCli(argv: string[], stderr: NodeJS.WritableStream = process.stderr): Promise<number> {
  io.stderr = stderr;
  const program = await buildProgram(argv, stderr);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version surface as "errors" with exit code 0.
      return err.exitCode === 0 ? 0 : 2;
    }
    if (isExporterError(err)) {
      // A configuration error lists its problems one a line: keep those line breaks, escape the rest.
      const text = err.code === 'CONFIG_INVALID' ? err.message.split('\n').map(untrusted).join('\n') : untrusted(err.message);
      printErr(`fief-exporter: ${text}\n`);
      // A malformed URL is a mistake in how the command was called, in every command.
      return err instanceof UsageError || err.code === 'INVALID_DATABASE_URL' ? 2 : 1;
    }
    const message = err instanceof Error ? err.message : String(err);
    printErr(`fief-exporter: unexpected error: ${untrusted(message)}\n`);
    if (process.env.FIEF_EXPORTER_DEBUG === '1' && err instanceof Error) printErr(`${untrusted(err.stack ?? '')}\n`);
    return 1;
  }
}
