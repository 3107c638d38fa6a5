/**
 * The SQL half of the script reader: a byte-at-a-time state machine that finds statement
 * boundaries exactly where psql's lexer (psqlscan.l, PostgreSQL 15) does, over input that
 * arrives in arbitrary chunks: quotes of every kind, comments, parentheses, SQL-standard
 * function bodies (BEGIN ATOMIC ... END) and backslash meta-commands.
 *
 * `scan(buf, pos)` consumes bytes until an event is ready (`takeEvent()`) or the buffer ends;
 * `finish()` at end of input. A statement's text is the raw input from its first token through
 * its semicolon; inner `--` comments stay in it (the server ignores them).
 */
import { ExporterError } from '../errors.js';
import * as B from './bytes.js';
import { InitialScanner, type InitialHost } from './initial-scanner.js';
import { Feed, Lit, LiteralScanner } from './literal-scanner.js';
import { Span } from './span.js';
import { StatementBuilder, type ScannedStatement } from './statement-builder.js';

export type SqlEvent =
  | ({ kind: 'statement' } & ScannedStatement)
  /** A backslash meta-command: `text` is the rest of its line after the backslash. */
  | { kind: 'meta'; text: Buffer; line: number }
  /** A `--` comment starting a line between statements (dump headers and footers live there). */
  | { kind: 'comment'; text: Buffer; line: number };

enum St { Initial, Literal, LineComment, Meta }

const MAX_COMMENT = 4096;
const MAX_META = 65536;
const NONE = Buffer.alloc(0);

export function parseError(message: string): ExporterError {
  return new ExporterError('IMPORT_PARSE_ERROR', message);
}

export class SqlScanner implements InitialHost {
  /** Line of the next byte (1-based, counted by `\n` like psql). */
  line = 1;
  col0 = true;
  /** Mirrors the server's standard_conforming_strings: decides whether `'...'` honours backslashes. */
  standardStrings = true;
  readonly stmt = new StatementBuilder();

  private state = St.Initial;
  private event: SqlEvent | null = null;
  private readonly initial = new InitialScanner(this);
  private readonly lit = new LiteralScanner();
  private readonly comment = new Span();
  private commentLine = 0;
  private readonly meta = new Span();
  private metaLine = 0;

  /** Continues at the start of `line` (after COPY data, which the scanner does not see). */
  restartLine(line: number): void {
    this.line = line;
    this.col0 = true;
  }

  takeEvent(): SqlEvent | null {
    const ev = this.event;
    this.event = null;
    return ev;
  }

  scan(buf: Buffer, pos: number): number {
    this.stmt.anchor(pos);
    this.comment.anchor(pos);
    this.meta.anchor(pos);
    const end = buf.length;
    let i = pos;
    while (i < end) {
      const c = buf[i] as number;
      if (c === B.NUL) throw parseError(`line ${this.line}: NUL byte in the script (this is not a plain SQL file)`);
      this.step(c, buf, i);
      if (c === B.NL) {
        this.line++;
        this.col0 = true;
      } else this.col0 = false;
      i++;
      if (this.event) {
        if (i === end) this.carry(buf, end); // the next byte is in the next buffer
        return i;
      }
    }
    this.carry(buf, end);
    return end;
  }

  private step(c: number, buf: Buffer, i: number): void {
    switch (this.state) {
      case St.Initial:
        return this.initial.byte(c, buf, i);
      case St.Literal: {
        const fed = this.lit.feed(c, this.standardStrings);
        if (fed === Feed.Inside) return;
        this.state = St.Initial;
        if (fed === Feed.RescanDash) this.stmt.token(); // the statement holds the `-` already
        if (fed !== Feed.Closed) this.initial.byte(c, buf, i);
        return;
      }
      case St.LineComment:
        if (c === B.NL || c === B.CR) {
          this.state = St.Initial;
          if (this.comment.collecting) this.emitComment(this.comment.take(buf, i));
        }
        return;
      case St.Meta:
        if (c === B.NL) {
          this.state = St.Initial;
          this.event = { kind: 'meta', text: this.meta.take(buf, i), line: this.metaLine };
          this.stmt.resume(i + 1);
        }
        return;
    }
  }

  openLiteral(kind: Lit | 'ident' | 'comment' | 'dollar', dollarTag = ''): void {
    if (kind === 'comment') this.lit.openComment(this.line);
    else {
      if (kind !== 'dollar') this.stmt.token(); // a dollar quote's `$` was counted already
      if (kind === 'ident') this.lit.openIdent(this.line);
      else if (kind === 'dollar') this.lit.openDollar(dollarTag, this.line);
      else this.lit.openQuote(kind, this.line);
    }
    this.state = St.Literal;
  }

  openLineComment(from: number, i: number, line: number, atLineStart: boolean): void {
    this.state = St.LineComment;
    if (this.stmt.isStarted || !atLineStart) return;
    // Between statements, at a line start: dump headers and footers are read from these.
    this.commentLine = line;
    if (from >= 0) this.comment.resume(from);
    else {
      this.comment.append(Buffer.from('-'));
      this.comment.resume(i);
    }
  }

  openMeta(buf: Buffer, at: number, i: number, c: number): void {
    this.stmt.pause(buf, at);
    this.metaLine = this.line;
    if (c !== B.NL) {
      this.state = St.Meta;
      this.meta.resume(i);
      return;
    }
    this.event = { kind: 'meta', text: NONE, line: this.metaLine };
    this.stmt.resume(i + 1);
  }

  endStatement(buf: Buffer | null, end: number, complete = true): void {
    const s = this.stmt.finish(buf, end, complete);
    if (s) this.event = { kind: 'statement', ...s };
    this.initial.parenDepth = 0;
  }

  private emitComment(text: Buffer): void {
    if (text.length <= MAX_COMMENT) this.event = { kind: 'comment', text, line: this.commentLine };
  }

  /** The buffer ended mid-way: keep collected bytes, minus a backslash still being decided. */
  private carry(buf: Buffer, end: number): void {
    this.stmt.carry(buf, this.initial.carryCut(end));
    this.comment.carry(buf, end);
    if (this.comment.length > MAX_COMMENT) this.comment.reset(); // too long to be a marker
    this.meta.carry(buf, end);
    if (this.meta.length > MAX_META) throw parseError(`line ${this.metaLine}: backslash command line is too long`);
  }

  /** End of input: settles lookaheads, rejects open literals and comments, returns what is left. */
  finish(): SqlEvent[] {
    const out: SqlEvent[] = [];
    const push = (): void => {
      const ev = this.takeEvent();
      if (ev) out.push(ev);
    };
    if (this.initial.pendingBackslash) {
      this.initial.pendingBackslash = false;
      out.push({ kind: 'meta', text: NONE, line: this.line });
    }
    if (this.state === St.Literal) {
      const why = this.lit.unterminated();
      if (why) {
        this.stmt.dispose();
        throw parseError(`line ${this.lit.openedAt}: ${why} (the file ends inside it)`);
      }
      this.state = St.Initial;
    }
    if (this.state === St.Initial) this.initial.settle();
    if (this.state === St.LineComment && this.comment.collecting) this.emitComment(this.comment.take(null, 0));
    if (this.state === St.Meta) this.event = { kind: 'meta', text: this.meta.take(null, 0), line: this.metaLine };
    push();
    this.state = St.Initial;
    if (this.stmt.isStarted) this.endStatement(null, 0, false);
    push();
    return out;
  }
}
