/**
 * Backslash meta-commands. The importer is not psql: it accepts only the pair pg_dump
 * 15.14+/16.10+/17.6+ writes around a plain dump (`\restrict KEY` ... `\unrestrict KEY`, which
 * stop a hostile dump from running psql commands) and refuses every other command, naming it,
 * rather than guessing what `\connect`, `\i` or `\!` should mean for an import.
 */
import { ExporterError } from '../errors.js';
import { printable } from './messages.js';

export class MetaCommands {
  private restrictLine = 0;
  private restrictKey: string | null = null;

  /** Applies the meta-command whose line (after the backslash) is `text`; throws on anything else. */
  handle(text: Buffer, line: number): void {
    const raw = text.toString('utf8');
    const words = raw.split(/[ \t\n\r\f]+/).filter((w) => w !== '');
    const command = /^[^ \t\n\r\f\\]*/.exec(raw)?.[0] ?? '';
    const name = printable(command.slice(0, 40));
    const args = words.slice(1);
    if (command === '') throw fail(line, 'a lone backslash is not a valid command');
    if (raw.includes('\\')) {
      throw fail(line, `the backslash command \\${name} is followed by another backslash command, which the importer does not support`);
    }
    if (command === 'restrict') return this.restrict(args, line);
    if (command === 'unrestrict') return this.unrestrict(args, line);
    if (command === 'connect' || command === 'c') {
      throw fail(line, `\\${name} (switching databases) is not supported: import into one database with --database-url instead`);
    }
    throw fail(line, `the psql command \\${name} is not supported by the importer (only \\restrict and \\unrestrict are)`);
  }

  /** End of script: a `\restrict` must have been closed (pg_dump writes `\unrestrict` last). */
  finish(): void {
    if (this.restrictKey !== null) {
      throw fail(this.restrictLine, '\\restrict has no matching \\unrestrict: the dump is incomplete');
    }
  }

  private restrict(args: string[], line: number): void {
    if (this.restrictKey !== null) {
      throw fail(line, `\\restrict inside the restricted section opened at line ${this.restrictLine} (only \\unrestrict is allowed there)`);
    }
    this.restrictKey = oneKey('restrict', args, line);
    this.restrictLine = line;
  }

  private unrestrict(args: string[], line: number): void {
    const key = oneKey('unrestrict', args, line);
    if (this.restrictKey === null) throw fail(line, '\\unrestrict without a preceding \\restrict');
    if (key !== this.restrictKey) {
      throw fail(line, `the \\unrestrict key does not match the \\restrict key of line ${this.restrictLine}`);
    }
    this.restrictKey = null;
  }
}

function oneKey(command: string, args: string[], line: number): string {
  if (args.length !== 1 || !args[0]) throw fail(line, `\\${command} needs exactly one argument (the key)`);
  return args[0];
}

function fail(line: number, message: string): ExporterError {
  return new ExporterError('IMPORT_PARSE_ERROR', `line ${line}: ${message}`);
}
