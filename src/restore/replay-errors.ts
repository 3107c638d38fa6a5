/**
 * Error sentences for statements and COPY blocks that failed on the server (or could not be
 * decoded), pointing at the line of the file the problem is on.
 */
import { ExporterError } from '../errors.js';
import { asServerError, clip, copyDataLine, firstLine, importError, lineOfPosition, serverReason } from './messages.js';
import type { SqlEvent } from './sql-scanner.js';

export type Statement = Extract<SqlEvent, { kind: 'statement' }>;

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decode(ev: Statement): string {
  try {
    return utf8.decode(ev.text);
  } catch {
    throw new ExporterError('IMPORT_PARSE_ERROR', `line ${ev.line}: the statement is not valid UTF-8 (binary data, or a dump in another encoding)`);
  }
}

export function statementError(err: unknown, line: number, text: string, position: string | undefined): ExporterError {
  const se = asServerError(err);
  if (!se) return importError('IMPORT_FAILED', `line ${line}: ${firstLine(text)} failed: ${clip(reasonOf(err), 300)}`, err);
  const at = lineOfPosition(text, line, position);
  const start = at !== line ? ` (in the statement starting at line ${line})` : '';
  return importError('IMPORT_FAILED', `line ${at}: ${firstLine(text)} failed${start}: ${serverReason(se)}`, err);
}

export function copyError(err: unknown, ev: Statement, text: string, dataLine: number, table: string): ExporterError {
  if (err instanceof ExporterError) return err;
  const se = asServerError(err);
  const n = copyDataLine(se?.where);
  if (!se || n === null) return statementError(err, ev.line, text, se?.position);
  return importError('IMPORT_FAILED', `line ${dataLine + n - 1}: COPY data for ${table} was rejected: ${serverReason(se)} (${clip(se.where ?? '', 300)})`, err);
}

function reasonOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
