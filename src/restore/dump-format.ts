/**
 * Dump format v1 (docs/architecture.md): recognises our dumps by their second line, collects
 * the `-- fief-exporter:verify` / `:complete` footer and checks it against what was loaded
 * before anything is committed. Files from plain pg_dump are "foreign" and only replayed.
 */
import { ExporterError } from '../errors.js';

export const FORMAT_LINE = '-- fief-exporter dump format 1';
const KEY_PREFIX = '-- ENCRYPTION_KEY=';
const VERIFY = '-- fief-exporter:verify ';
const COMPLETE = '-- fief-exporter:complete ';

interface Expected {
  rows: number;
  sha256: string;
  line: number;
}

export interface LoadedBlock {
  table: string;
  rows: number;
  sha256: string | null;
  line: number;
}

export class DumpFormat {
  /** Line 2 announced format v1. */
  ours = false;
  /** Line 1 holds the ENCRYPTION_KEY (its value is never kept). */
  keyOnLine1 = false;
  private readonly expected = new Map<string, Expected>();
  private complete: { tables: number; rows: number } | null = null;
  private readonly loaded: LoadedBlock[] = [];
  /** The first malformed footer line: reported at verification, after the truncation check. */
  private problem: ExporterError | null = null;

  get hasCompleteMarker(): boolean {
    return this.complete !== null;
  }

  /** A `--` comment at the start of a line between statements. */
  comment(text: string, line: number): void {
    const t = text.replace(/\r$/, '');
    if (line === 1) this.keyOnLine1 = t.startsWith(KEY_PREFIX);
    if (line === 2) this.ours = t === FORMAT_LINE;
    if (!this.ours) return;
    try {
      if (t.startsWith(VERIFY)) this.verifyLine(t.slice(VERIFY.length), line);
      else if (t.startsWith(COMPLETE)) this.completeLine(t.slice(COMPLETE.length), line);
    } catch (err) {
      // A cut-off footer line is malformed too: decide once we know whether the file is complete.
      this.problem ??= err instanceof ExporterError ? err : malformed(line, 'footer');
    }
  }

  private verifyLine(json: string, line: number): void {
    const v = parseJson(json, line, 'verify');
    const table = v.table;
    if (typeof table !== 'string' || !isCount(v.rows) || typeof v.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(v.sha256)) {
      throw malformed(line, 'verify');
    }
    if (this.expected.has(table)) throw verifyError(`line ${line}: a second verify line for table ${table}`);
    this.expected.set(table, { rows: v.rows, sha256: v.sha256, line });
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
      if (exp.sha256 !== b.sha256) {
        throw verifyError(`table ${b.table}: the SHA-256 of its COPY data does not match the verify line (line ${exp.line}); the dump was altered or damaged`);
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

function parseJson(text: string, line: number, what: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw malformed(line, what);
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
