/**
 * Our dump format (docs/architecture.md, versions 1 and 2): recognises our dumps by their
 * second line, collects the `-- fief-exporter:verify` / `:complete` footer and checks it
 * against what was loaded before anything is committed. Files from plain pg_dump are
 * "foreign" and only replayed.
 */
import {
  CHECKSUMS,
  COMPLETE_LINE_PREFIX,
  KEY_LINE_PREFIX,
  VERIFY_LINE_PREFIX,
  type ChecksumKind,
  type FormatVersion,
  formatVersionOf,
} from '../dump/format.js';
import { ExporterError } from '../errors.js';

interface Expected {
  rows: number;
  checksum: string;
  line: number;
}

export interface LoadedBlock {
  table: string;
  rows: number;
  /** The format's checksum of the bytes sent, or null for a foreign script. */
  checksum: string | null;
  line: number;
}

export class DumpFormat {
  /** The version line 2 announced, or null: a foreign script. */
  version: FormatVersion | null = null;
  /** Line 1 holds the ENCRYPTION_KEY (its value is never kept). */
  keyOnLine1 = false;
  private readonly expected = new Map<string, Expected>();
  private complete: { tables: number; rows: number } | null = null;
  private readonly loaded: LoadedBlock[] = [];
  /** The first malformed footer line: reported at verification, after the truncation check. */
  private problem: ExporterError | null = null;

  get ours(): boolean {
    return this.version !== null;
  }

  /** How this dump checksums its COPY blocks (only for our dumps). */
  get checksum(): ChecksumKind | null {
    return this.version === null ? null : CHECKSUMS[this.version];
  }

  get hasCompleteMarker(): boolean {
    return this.complete !== null;
  }

  /** A `--` comment at the start of a line between statements. */
  comment(text: string, line: number): void {
    const t = text.replace(/\r$/, '');
    if (line === 1) this.keyOnLine1 = t.startsWith(KEY_LINE_PREFIX);
    if (line === 2) {
      const version = formatVersionOf(t);
      if (version === 'unknown') {
        throw new ExporterError('IMPORT_FAILED', `line 2: ${t.slice(3)} is newer than this fief-exporter reads (1 or 2); import it with a newer fief-exporter`);
      }
      this.version = version;
    }
    const kind = this.checksum;
    if (!kind) return;
    try {
      if (t.startsWith(VERIFY_LINE_PREFIX)) this.verifyLine(t.slice(VERIFY_LINE_PREFIX.length), line, kind);
      else if (t.startsWith(COMPLETE_LINE_PREFIX)) this.completeLine(t.slice(COMPLETE_LINE_PREFIX.length), line);
    } catch (err) {
      // A cut-off footer line is malformed too: decide once we know whether the file is complete.
      this.problem ??= err instanceof ExporterError ? err : malformed(line, 'footer');
    }
  }

  private verifyLine(json: string, line: number, kind: ChecksumKind): void {
    const v = parseJson(json, line, 'verify');
    const table = v.table;
    const checksum = v[kind.field];
    if (typeof table !== 'string' || !isCount(v.rows) || typeof checksum !== 'string' || !kind.pattern.test(checksum)) {
      throw malformed(line, 'verify');
    }
    if (this.expected.has(table)) throw verifyError(`line ${line}: a second verify line for table ${table}`);
    this.expected.set(table, { rows: v.rows, checksum, line });
  }

  private completeLine(json: string, line: number): void {
    const v = parseJson(json, line, 'complete');
    if (!isCount(v.tables) || !isCount(v.rows)) throw malformed(line, 'complete');
    this.complete = { tables: v.tables, rows: v.rows };
  }

  /** A COPY block was loaded: the server's row count and the hash of the bytes sent. */
  loadedBlock(block: LoadedBlock): void {
    this.loaded.push(block);
  }

  /** Before COMMIT: every block matches its verify line and the totals match the complete line. */
  verify(atLine: number): void {
    if (!this.complete) {
      throw new ExporterError(
        'IMPORT_TRUNCATED',
        `the dump has no "-- fief-exporter:complete" line before line ${atLine}: it is truncated`,
      );
    }
    if (this.problem) throw this.problem;
    const seen = new Set<string>();
    let rows = 0;
    for (const b of this.loaded) {
      const exp = this.expected.get(b.table);
      if (!exp) throw verifyError(`line ${b.line}: table ${b.table} was loaded but the dump has no verify line for it`);
      if (seen.has(b.table)) throw verifyError(`line ${b.line}: table ${b.table} was loaded twice`);
      seen.add(b.table);
      if (exp.rows !== b.rows) {
        throw verifyError(`table ${b.table}: the server loaded ${b.rows} rows but the verify line (line ${exp.line}) says ${exp.rows}`);
      }
      if (exp.checksum !== b.checksum) {
        const label = this.checksum?.label ?? 'checksum';
        throw verifyError(`table ${b.table}: the ${label} of its COPY data does not match the verify line (line ${exp.line}); the dump was altered or damaged`);
      }
      rows += b.rows;
    }
    for (const [table, exp] of this.expected) {
      if (!seen.has(table)) throw verifyError(`line ${exp.line}: the verify line names table ${table}, which the dump never loaded`);
    }
    if (this.complete.tables !== seen.size || this.complete.rows !== rows) {
      throw verifyError(
        `the complete line announces ${this.complete.tables} tables and ${this.complete.rows} rows, but ${seen.size} tables and ${rows} rows were loaded`,
      );
    }
  }
}

/** A verify line's table and announced rows, or null if `comment` is not a well-formed one (no line numbers, no checksum: a hint read ahead). */
export function announcedRows(comment: string): { table: string; rows: number } | null {
  const t = comment.trim();
  if (!t.startsWith(VERIFY_LINE_PREFIX)) return null;
  const v = jsonObject(t.slice(VERIFY_LINE_PREFIX.length));
  return v && typeof v.table === 'string' && isCount(v.rows) ? { table: v.table, rows: v.rows } : null;
}

function parseJson(text: string, line: number, what: string): Record<string, unknown> {
  const v = jsonObject(text);
  if (!v) throw malformed(line, what);
  return v;
}

function jsonObject(text: string): Record<string, unknown> | null {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return null;
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function malformed(line: number, what: string): ExporterError {
  return verifyError(`line ${line}: malformed fief-exporter:${what} line`);
}

function verifyError(message: string): ExporterError {
  return new ExporterError('IMPORT_VERIFY_FAILED', `verification failed: ${message}`);
}
