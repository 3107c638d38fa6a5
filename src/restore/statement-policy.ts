/**
 * What the replay lets reach the server (see statement-guard.ts and ours-allowlist.ts): every
 * statement is checked before it is sent; in a dump of ours, only the statements our exporter
 * writes, nothing before the format line and nothing after the final COMMIT, which must be
 * there (psql would roll a dump without it back).
 */
import { ExporterError } from '../errors.js';
import type { DumpFormat } from './dump-format.js';
import { firstLine } from './messages.js';
import { oursRefusal } from './ours-allowlist.js';
import { statementRefusal } from './statement-guard.js';
import { splitStatements, tokenize, type Token } from './sql-tokens.js';

export class StatementPolicy {
  private commitLine = 0;

  constructor(private readonly format: DumpFormat) {}

  /** Throws when the statement starting at `line` must not be sent. */
  check(text: string, line: number, standardStrings: boolean): void {
    let parts: Token[][] | undefined;
    const split = (): Token[][] => (parts ??= splitStatements(tokenize(text, standardStrings)));
    let why = statementRefusal(text, standardStrings, split);
    if (!why && this.format.ours) {
      why = this.commitLine ? `it follows the dump's final COMMIT (line ${this.commitLine})` : oursRefusal(text, standardStrings, split);
    }
    if (why) throw new ExporterError('IMPORT_REFUSED', `line ${line}: ${firstLine(text)} refused: ${why}`);
  }

  /** The same check as a question, for statements looked ahead at (parallel/post-data.ts). */
  refuses(text: string, standardStrings: boolean): boolean {
    try {
      this.check(text, 0, standardStrings);
      return false;
    } catch {
      return true;
    }
  }

  /** The format line (line 2) was read; statements must not have run before it. */
  announced(statementsBefore: number): void {
    if (this.format.ours && statementsBefore > 0) {
      throw new ExporterError('IMPORT_REFUSED', 'line 2: the fief-exporter format line comes after statements, which our dumps never have: this file was altered');
    }
  }

  committed(line: number): void {
    if (this.format.ours) this.commitLine = line;
  }

  /** End of the script. */
  finish(line: number): void {
    if (this.format.ours && !this.commitLine) {
      throw new ExporterError('IMPORT_TRUNCATED', `the dump ends at line ${line} without its final COMMIT: it is truncated`);
    }
  }
}
