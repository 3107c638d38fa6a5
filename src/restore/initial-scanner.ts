/**
 * psql's INITIAL lexer state: the SQL between literals and comments. It tracks unquoted words
 * (keywords matter for BEGIN ATOMIC and for recognising COPY/transaction control), literal
 * prefixes (E'', B'', X'', N'', U&''), dollar-quote tags, parentheses and semicolons, and the
 * one-byte lookaheads that decide whether `-` starts a comment, `/` a block comment, and `\`
 * a meta-command or psql's `\;`. What it opens is handed to its host (the SQL scanner).
 */
import * as B from './bytes.js';
import { Lit } from './literal-scanner.js';
import type { StatementBuilder } from './statement-builder.js';

export interface InitialHost {
  readonly line: number;
  /** The current byte starts a line. */
  readonly col0: boolean;
  readonly standardStrings: boolean;
  readonly stmt: StatementBuilder;
  openLiteral(kind: Lit | 'ident' | 'comment' | 'dollar', dollarTag?: string): void;
  /** `--` seen; `from` is where the first `-` is in this buffer (-1: in the previous one). */
  openLineComment(from: number, i: number, line: number, atLineStart: boolean): void;
  /** A meta-command starts at `i` (the byte after the backslash at `at`). */
  openMeta(buf: Buffer, at: number, i: number, c: number): void;
  endStatement(buf: Buffer, end: number): void;
}

const E = 0x65;
const BITS = [0x62, 0x78]; // b, x
const N = 0x6e;
const U = 0x75;

export class InitialScanner {
  parenDepth = 0;
  private inWord = false;
  /** The current word's first bytes, lower-cased: a string is made once, when it ends. */
  private readonly word = new Uint8Array(24);
  private wordLength = 0;
  private prefix = 0; // lower-cased letter that may open a literal (E'..', B'..', U&'..')
  private afterUAmp = false;
  private pendingDash = false;
  private pendingSlash = false;
  pendingBackslash = false;
  private pendingAt = -1; // position of the pending byte in this buffer; -1 once carried over
  private dashAtCol0 = false;
  private dashLine = 0;
  private inTag = false;
  private tag: number[] = [];

  constructor(private readonly host: InitialHost) {}

  byte(c: number, buf: Buffer, i: number): void {
    const h = this.host;
    if (this.inTag) return this.dollarTag(c, buf, i);
    if (this.resolvePending(c, buf, i)) return;
    if (this.inWord) {
      if (B.IDENT_CONT[c]) {
        if (this.wordLength < this.word.length) this.word[this.wordLength++] = B.lower(c);
        return;
      }
      this.inWord = false;
      h.stmt.identifier(String.fromCharCode(...this.word.subarray(0, this.wordLength)), this.parenDepth);
    }
    if (B.SPACE_CHARS[c]) return;
    if (c === B.DASH) {
      this.pendingDash = true;
      this.dashAtCol0 = h.col0;
      this.dashLine = h.line;
      this.pendingAt = i;
      return;
    }
    if (c === B.BACKSLASH) {
      this.pendingBackslash = true;
      this.pendingAt = i;
      return;
    }
    h.stmt.start(i, h.line);
    switch (c) {
      case B.SLASH:
        this.pendingSlash = true;
        return;
      case B.SEMI:
        if (this.parenDepth === 0 && h.stmt.words.beginDepth === 0) h.endStatement(buf, i + 1);
        return;
      case B.LPAREN:
        this.parenDepth++;
        return h.stmt.token();
      case B.RPAREN:
        if (this.parenDepth > 0) this.parenDepth--;
        return h.stmt.token();
      case B.QUOTE:
        return h.openLiteral(h.standardStrings ? Lit.Standard : Lit.Escaped);
      case B.DQUOTE:
        return h.openLiteral('ident');
      case B.DOLLAR:
        this.inTag = true;
        this.tag = [];
        return;
    }
    if (B.IDENT_START[c]) {
      const l = B.lower(c);
      this.inWord = true;
      this.word[0] = l;
      this.wordLength = 1;
      if (l === E || l === N || l === U || BITS.includes(l)) this.prefix = l;
      return;
    }
    h.stmt.token();
  }

  /** Settles the one-byte lookahead the previous byte started; true when `c` was consumed. */
  private resolvePending(c: number, buf: Buffer, i: number): boolean {
    const h = this.host;
    if (this.prefix !== 0) {
      const p = this.prefix;
      this.prefix = 0;
      if (c === B.QUOTE && p !== U) {
        this.inWord = false; // the letter opens a literal: it is no identifier
        h.openLiteral(p === E ? Lit.Escaped : BITS.includes(p) ? Lit.Bits : h.standardStrings ? Lit.Standard : Lit.Escaped);
        return true;
      }
      if (p === U && c === B.AMP) {
        this.inWord = false;
        this.afterUAmp = true;
        h.stmt.token();
        return true;
      }
    } else if (this.afterUAmp) {
      this.afterUAmp = false;
      if (c === B.QUOTE || c === B.DQUOTE) {
        h.openLiteral(c === B.QUOTE ? Lit.Unicode : 'ident');
        return true;
      }
    } else if (this.pendingDash) {
      this.pendingDash = false;
      if (c === B.DASH) {
        h.openLineComment(this.pendingAt, i, this.dashLine, this.dashAtCol0);
        return true;
      }
      if (this.pendingAt >= 0) h.stmt.start(this.pendingAt, this.dashLine);
      else h.stmt.startWith('-', i, this.dashLine);
      h.stmt.token();
    } else if (this.pendingSlash) {
      this.pendingSlash = false;
      if (c === B.STAR) {
        h.openLiteral('comment');
        return true;
      }
      h.stmt.token();
    } else if (this.pendingBackslash) {
      this.pendingBackslash = false;
      const at = this.pendingAt >= 0 ? this.pendingAt : i;
      if (c === B.SEMI || c === B.COLON) h.stmt.insert(buf, at, i + 1, c === B.SEMI ? ';' : ':', h.line);
      else h.openMeta(buf, at, i, c);
      return true;
    }
    return false;
  }

  private dollarTag(c: number, buf: Buffer, i: number): void {
    const h = this.host;
    if (c === B.DOLLAR) {
      this.inTag = false;
      h.stmt.token();
      h.openLiteral('dollar', String.fromCharCode(...this.tag));
      return;
    }
    if (this.tag.length === 0 ? B.IDENT_START[c] : B.DOLQ_CONT[c]) {
      this.tag.push(c);
      return;
    }
    // Not a dollar quote ($1, or `$name` with no closing `$`): the `$` is a token of its own
    // and what followed is scanned again, as psql's {dolqfailed} rule does.
    this.inTag = false;
    h.stmt.token();
    for (const t of this.tag) this.byte(t, buf, i);
    this.byte(c, buf, i);
  }

  /** At the end of a buffer: where the statement's bytes stop (a pending `\` is not one of them). */
  carryCut(end: number): number {
    const cut = this.pendingBackslash && this.pendingAt >= 0 ? this.pendingAt : end;
    this.pendingAt = -1;
    return cut;
  }

  /** End of input: settles a pending tag, dash, slash, prefix or word (a pending `\` is the host's). */
  settle(): void {
    if (this.inTag) this.dollarTag(B.SPACE, Buffer.alloc(0), 0);
    this.byte(B.SPACE, Buffer.alloc(0), 0);
  }
}
