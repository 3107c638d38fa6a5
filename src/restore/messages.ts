/**
 * Error sentences for a failed import: where (line), what (the statement's first line) and
 * why (the server's message, detail and hint). Everything passes `redact`: a dump's first
 * line carries the Fief ENCRYPTION_KEY, which must never reach a terminal or a log.
 */
import { ExporterError, type ErrorCode } from '../errors.js';

const MAX_QUOTE = 100;
/** A server message can quote a whole statement or data line: enough to read, not megabytes. */
const MAX_SERVER_TEXT = 300;
const MAX_MESSAGE = 2000;

/** `text` cut to `max` characters, saying how much was left out. */
export function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length - max} more characters)`;
}

/** Masks `ENCRYPTION_KEY=<value>` wherever it appears. */
export function redact(text: string): string {
  return text.replace(/ENCRYPTION_KEY=\S*/g, 'ENCRYPTION_KEY=<redacted>');
}

/** Replaces control characters so garbage input cannot drive the terminal. */
export function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '?');
}

/** The statement's first line, shortened, safe to print. */
export function firstLine(statement: string): string {
  const line = statement.split('\n', 1)[0]?.replace(/\r$/, '').trim() ?? '';
  const short = line.length > MAX_QUOTE ? `${line.slice(0, MAX_QUOTE)}…` : line;
  return printable(redact(short));
}

interface ServerError {
  message: string;
  detail?: string | undefined;
  hint?: string | undefined;
  position?: string | undefined;
  where?: string | undefined;
}

/** A PostgreSQL ErrorResponse as pg raises it (it carries a severity and an SQLSTATE). */
export function asServerError(err: unknown): ServerError | null {
  if (!(err instanceof Error)) return null;
  const e = err as Error & Record<string, unknown>;
  if (typeof e.severity !== 'string' || typeof e.code !== 'string') return null;
  const opt = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
  return { message: e.message, detail: opt(e.detail), hint: opt(e.hint), position: opt(e.position), where: opt(e.where) };
}

export function serverReason(e: ServerError): string {
  let s = clip(e.message, MAX_SERVER_TEXT);
  if (e.detail) s += ` (detail: ${clip(e.detail, MAX_SERVER_TEXT)})`;
  if (e.hint) s += ` (hint: ${clip(e.hint, MAX_SERVER_TEXT)})`;
  return s;
}

/** A server NOTICE or WARNING, as it is printed. */
export function noticeText(severity: string | undefined, message: string | undefined): string {
  return printable(redact(`${severity ?? 'NOTICE'}: ${clip(message ?? '', MAX_SERVER_TEXT)}`));
}

/** The line an error position (1-based, in characters as the server counts them) falls on. */
export function lineOfPosition(statement: string, startLine: number, position: string | undefined): number {
  const pos = Number(position);
  if (!Number.isInteger(pos) || pos < 1) return startLine;
  let line = startLine;
  let chars = 0;
  for (const ch of statement) {
    if (++chars >= pos) break;
    if (ch === '\n') line++;
  }
  return line;
}

/** Length in characters (code points), as PostgreSQL counts error positions. */
export function codePoints(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff) n++; // a low surrogate belongs to the character before it
  }
  return n;
}

/** For COPY data errors the server says `COPY t, line N[, column c: "..."]`: N counts data lines. */
export function copyDataLine(where: string | undefined): number | null {
  const m = where ? /^COPY [^,]+, line (\d+)/.exec(where) : null;
  return m?.[1] ? Number(m[1]) : null;
}

export function importError(code: ErrorCode, message: string, cause?: unknown): ExporterError {
  return new ExporterError(code, printable(redact(clip(message, MAX_MESSAGE))), cause === undefined ? undefined : { cause });
}
