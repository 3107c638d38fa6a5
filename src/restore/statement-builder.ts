/**
 * The statement being accumulated by the SQL scanner: its raw bytes (kept as chunk
 * subarrays until it is complete), the line it starts on, and what its tokens say.
 */
import { Span } from './span.js';
import { WordTracker, type SegmentInfo } from './word-tracker.js';

export interface ScannedStatement {
  text: Buffer;
  line: number;
  parts: SegmentInfo[];
  /** False for text left at end of input without a semicolon (psql sends it anyway). */
  complete: boolean;
}

export class StatementBuilder {
  readonly words = new WordTracker();
  private readonly span = new Span();
  private started = false;
  private hasTokens = false;
  private line = 0;

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
    this.span.carry(buf, end);
  }

  /** Ends the statement at `end`; null when it held no token (only comments or a lone `;`). */
  finish(buf: Buffer | null, end: number, complete: boolean): ScannedStatement | null {
    const parts = this.words.finish();
    const text = this.span.take(buf, end);
    const hadTokens = this.hasTokens;
    this.started = false;
    this.hasTokens = false;
    return hadTokens ? { text, line: this.line, parts, complete } : null;
  }
}
