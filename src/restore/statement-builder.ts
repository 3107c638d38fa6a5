/**
 * The statement being accumulated by the SQL scanner: its raw bytes (kept as chunk
 * subarrays until it is complete), the line it starts on, and what its tokens say.
 */
import { ExporterError } from '../errors.js';
import { Span } from './span.js';
import { SpillFile } from './spill-file.js';
import { WordTracker, type SegmentInfo } from './word-tracker.js';

export interface ScannedStatement {
  text: Buffer;
  line: number;
  parts: SegmentInfo[];
  /** False for text left at end of input without a semicolon (psql sends it anyway). */
  complete: boolean;
}

/** Default cap on one statement's text outside COPY data (`--max-statement-size`). */
const DEFAULT_MAX_STATEMENT_BYTES = 64 * 2 ** 20;
/** Beyond this, a statement's bytes wait in a spill file until its end (or the cap) is reached. */
const SPILL_AT = 4 * 2 ** 20;

export class StatementBuilder {
  readonly words = new WordTracker();
  /**
   * A statement is held whole before it is sent, so an unterminated quote or a missing `;` in
   * a large file would otherwise gather the rest of the file in memory.
   */
  maxBytes = DEFAULT_MAX_STATEMENT_BYTES;
  private readonly span = new Span();
  private started = false;
  private hasTokens = false;
  private line = 0;
  private spill: SpillFile | null = null;

  get isStarted(): boolean {
    return this.started;
  }

  /** The first byte psql would put in its query buffer (leading whitespace and `--` comments are dropped). */
  start(pos: number, line: number): void {
    if (this.started) return;
    this.started = true;
    this.line = line;
    this.span.resume(pos);
  }

  /** Like `start`, for a byte the scanner already carried past (a `-` ending the previous chunk). */
  startWith(byte: string, pos: number, line: number): void {
    if (this.started) return;
    this.started = true;
    this.line = line;
    this.span.append(Buffer.from(byte));
    this.span.resume(pos);
  }

  token(): void {
    this.hasTokens = true;
    this.words.token();
  }

  identifier(word: string, parenDepth: number): void {
    this.hasTokens = true;
    this.words.identifier(word, parenDepth);
  }

  /** psql's `\;` and `\:` put a bare `;` or `:` in the buffer in place of the two bytes. */
  insert(buf: Buffer, at: number, resumeAt: number, byte: ';' | ':', line: number): void {
    if (this.started) this.span.pause(buf, at);
    else {
      this.started = true;
      this.line = line;
    }
    this.span.append(Buffer.from(byte));
    this.span.resume(resumeAt);
    if (byte === ';') this.words.separator();
    else this.token();
  }

  /** A meta-command interrupts the statement: its line is not part of the SQL. */
  pause(buf: Buffer, at: number): void {
    if (this.started) this.span.pause(buf, at);
  }

  resume(pos: number): void {
    if (this.started) this.span.resume(pos);
  }

  anchor(pos: number): void {
    this.span.anchor(pos);
  }

  carry(buf: Buffer, end: number): void {
    if (this.started && (this.spill || this.span.length > SPILL_AT)) {
      const spill = (this.spill ??= new SpillFile());
      this.span.carryInto(buf, end, (parts) => spill.write(parts));
    } else this.span.carry(buf, end);
    if (!this.started) return;
    if (this.span.length + (this.spill?.size ?? 0) > this.maxBytes) {
      this.dispose();
      throw new ExporterError(
        'IMPORT_PARSE_ERROR',
        `line ${this.line}: the statement starting here is longer than ${sizeLabel(this.maxBytes)} (an unterminated quote or a missing semicolon?); raise --max-statement-size if it is real`,
      );
    }
  }

  /** Closes the spill file of a statement that will not be finished (an error stopped the replay). */
  dispose(): void {
    this.spill?.close();
    this.spill = null;
  }

  /** Ends the statement at `end`; null when it held no token (only comments or a lone `;`). */
  finish(buf: Buffer | null, end: number, complete: boolean): ScannedStatement | null {
    const parts = this.words.finish();
    let text = this.span.take(buf, end);
    if (this.spill) {
      text = Buffer.concat([this.spill.read(), text]);
      this.dispose();
    }
    const hadTokens = this.hasTokens;
    this.started = false;
    this.hasTokens = false;
    return hadTokens ? { text, line: this.line, parts, complete } : null;
  }
}

function sizeLabel(bytes: number): string {
  if (bytes % 2 ** 20 === 0) return `${bytes / 2 ** 20} MiB`;
  if (bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
