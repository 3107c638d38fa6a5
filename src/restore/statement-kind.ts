/**
 * What the importer must know about a statement before sending it, from the scanner's token
 * summary (no SQL parsing): transaction control it handles itself, COPY FROM STDIN it streams,
 * and the session settings a dump starts with.
 */
import type { SegmentInfo } from './word-tracker.js';

export type StatementKind =
  | 'begin' // BEGIN / START TRANSACTION
  | 'commit' // COMMIT / END [WORK|TRANSACTION] [AND [NO] CHAIN]
  | 'rollback' // ROLLBACK / ABORT (not ROLLBACK TO SAVEPOINT)
  | 'prepare' // PREPARE TRANSACTION: ends the transaction too
  | 'copy-in'
  | 'copy-out'
  | 'session' // SET, RESET, SELECT [pg_catalog.]set_config(...)
  | 'create-schema' // CREATE SCHEMA: comes before the search_path that names the target schema
  | 'other';

const TAIL_WORDS = new Set(['work', 'transaction', 'and', 'no', 'chain']);

export function segmentKind(seg: SegmentInfo): StatementKind {
  const [w0, w1, w2] = seg.words;
  if (seg.copy === 'in') return 'copy-in';
  if (seg.copy === 'out') return 'copy-out';
  if (w0 === 'begin' || (w0 === 'start' && w1 === 'transaction')) return 'begin';
  const simpleTail = seg.onlyWords && seg.words.slice(1).every((w) => TAIL_WORDS.has(w));
  if ((w0 === 'commit' || w0 === 'end') && simpleTail) return 'commit';
  if ((w0 === 'rollback' || w0 === 'abort') && simpleTail) return 'rollback';
  if (w0 === 'prepare' && w1 === 'transaction') return 'prepare';
  if (w0 === 'set' || w0 === 'reset') return 'session';
  if (w0 === 'create' && w1 === 'schema') return 'create-schema';
  if (w0 === 'select' && (w1 === 'set_config' || (w1 === 'pg_catalog' && w2 === 'set_config'))) return 'session';
  return 'other';
}

/**
 * The kind of a whole statement. Parts joined with psql's `\;` go to the server as one
 * multi-statement query, which the importer can only send as is: transaction control or COPY
 * inside one is refused (null) rather than half-handled.
 */
export function statementKind(parts: SegmentInfo[]): StatementKind | null {
  if (parts.length === 1 && parts[0]) return segmentKind(parts[0]);
  const kinds = parts.map(segmentKind);
  if (kinds.some((k) => k !== 'other' && k !== 'session' && k !== 'create-schema')) return null;
  return kinds.every((k) => k === 'session') ? 'session' : 'other';
}

/**
 * The table a `COPY name [(cols)] FROM stdin` statement loads, unqualified and as the server
 * folds it (unquoted names lower-cased, quoted ones verbatim), plus the name as written.
 */
export function copyTarget(text: string): { table: string; written: string } | null {
  return loadTarget(text, COPY_TARGET);
}

/** The table an `INSERT INTO name ...` statement loads, like `copyTarget`. */
export function insertTarget(text: string): { table: string; written: string } | null {
  return loadTarget(text, INSERT_TARGET);
}

function targetPattern(lead: string): RegExp {
  return new RegExp(`^\\s*${lead}\\s+((?:(?:"(?:[^"]|"")*"|[^\\s."(]+)\\s*\\.\\s*)*(?:"(?:[^"]|"")*"|[^\\s."(]+))`, 'i');
}

const COPY_TARGET = targetPattern('copy');
const INSERT_TARGET = targetPattern('insert\\s+into');

function loadTarget(text: string, pattern: RegExp): { table: string; written: string } | null {
  const m = pattern.exec(stripLeadingComments(text));
  if (!m?.[1]) return null;
  const written = m[1];
  const parts = written.match(/"(?:[^"]|"")*"|[^\s."]+/g) ?? [];
  const last = parts[parts.length - 1] ?? '';
  const table = last.startsWith('"') ? last.slice(1, -1).replace(/""/g, '"') : last.replace(/[A-Z]/g, (c) => c.toLowerCase());
  return { table, written };
}

function stripLeadingComments(text: string): string {
  let s = text;
  for (;;) {
    const t = s.replace(/^\s+/, '');
    if (t.startsWith('--')) s = t.slice(t.indexOf('\n') === -1 ? t.length : t.indexOf('\n'));
    else if (t.startsWith('/*')) {
      const end = t.indexOf('*/');
      s = end === -1 ? '' : t.slice(end + 2);
    } else return t;
  }
}
