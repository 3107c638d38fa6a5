/**
 * The inside of quoted text and block comments, byte by byte (psqlscan.l's exclusive states
 * xq, xe, xb/xh, xus, xqs, xd/xui, xdolq and xc). The SQL scanner hands bytes here while a
 * literal or comment is open; `feed` says when it closed and whether the byte must be scanned
 * again as ordinary SQL.
 */
import * as B from './bytes.js';

/** Which literal a closing quote belongs to, so a continuation resumes the right rules. */
export enum Lit { Standard, Escaped, Bits, Unicode }

export enum Feed {
  /** Still inside; the byte was consumed. */
  Inside,
  /** Closed by this byte. */
  Closed,
  /** Closed before this byte, which must be scanned again as SQL. */
  Rescan,
  /** Closed before a `-` that turned out not to start a comment: rescan `-`, then this byte. */
  RescanDash,
}

enum In { Quote, EQuote, QuoteStop, Ident, IdentStop, Dollar, Comment }

/**
 * What followed a closing quote (In.QuoteStop): nothing yet, whitespace without or with a
 * newline, a `-` that may start a comment, or a `--` comment (which ends with a newline).
 */
enum Gap { Fresh, Blank, Newline, Dash, LineComment }

export class LiteralScanner {
  /** Line where the literal or comment opened, for error messages. */
  openedAt = 0;
  private state = In.Quote;
  private lit = Lit.Standard;
  private escapeNext = false;
  private gap = Gap.Fresh;
  private tag = '';
  private candidate: string | null = null;
  private depth = 0;
  /** In a comment: the byte before this one, or 0 right after a `/*` or `*\/` (its bytes pair no further). */
  private prev = 0;

  openQuote(lit: Lit, line: number): void {
    this.lit = lit;
    this.state = lit === Lit.Escaped ? In.EQuote : In.Quote;
    this.escapeNext = false;
    this.openedAt = line;
  }

  openIdent(line: number): void {
    this.state = In.Ident;
    this.openedAt = line;
  }

  openDollar(tag: string, line: number): void {
    this.state = In.Dollar;
    this.tag = tag;
    this.candidate = null;
    this.openedAt = line;
  }

  openComment(line: number): void {
    this.state = In.Comment;
    this.depth = 0;
    this.prev = 0;
    this.openedAt = line;
  }

  /** At end of input: why the open construct is unterminated, or null if it had in fact closed. */
  unterminated(): string | null {
    switch (this.state) {
      case In.Quote:
      case In.EQuote:
        return 'unterminated quoted string';
      case In.Ident:
        return 'unterminated quoted identifier';
      case In.Dollar:
        return `unterminated dollar-quoted string $${this.tag}$`;
      case In.Comment:
        return 'unterminated /* comment';
      default:
        return null; // a closing quote was the last thing: the literal is complete
    }
  }

  feed(c: number, standardStrings: boolean): Feed {
    switch (this.state) {
      case In.Quote:
        if (c === B.QUOTE) this.closeQuote();
        return Feed.Inside;
      case In.EQuote:
        if (this.escapeNext) this.escapeNext = false;
        else if (c === B.BACKSLASH) this.escapeNext = true;
        else if (c === B.QUOTE) this.closeQuote();
        return Feed.Inside;
      case In.QuoteStop:
        return this.quoteStop(c, standardStrings);
      case In.Ident:
        if (c === B.DQUOTE) this.state = In.IdentStop;
        return Feed.Inside;
      case In.IdentStop:
        if (c !== B.DQUOTE) return Feed.Rescan;
        this.state = In.Ident; // "" inside a quoted identifier
        return Feed.Inside;
      case In.Dollar:
        return this.dollar(c);
      case In.Comment:
        return this.comment(c);
    }
  }

  private closeQuote(): void {
    this.state = In.QuoteStop;
    this.gap = Gap.Fresh;
  }

  private reopen(): void {
    this.state = this.lit === Lit.Escaped ? In.EQuote : In.Quote;
  }

  /** After a closing quote: `''` continues the literal, and so does whitespace holding a newline, then `'`. */
  private quoteStop(c: number, standardStrings: boolean): Feed {
    switch (this.gap) {
      case Gap.Fresh:
        if (c === B.QUOTE) {
          // '' is an escaped quote, except after B'..'/X'..', where a new literal starts.
          if (this.lit === Lit.Bits) this.lit = standardStrings ? Lit.Standard : Lit.Escaped;
          this.reopen();
          return Feed.Inside;
        }
        this.gap = Gap.Blank;
        break;
      case Gap.LineComment:
        if (c === B.NL || c === B.CR) this.gap = Gap.Newline;
        return Feed.Inside;
      case Gap.Dash:
        if (c !== B.DASH) return Feed.RescanDash;
        this.gap = Gap.LineComment;
        return Feed.Inside;
      default:
        break;
    }
    if (c === B.SPACE || c === B.TAB || c === B.FF) return Feed.Inside;
    if (c === B.NL || c === B.CR) {
      this.gap = Gap.Newline;
      return Feed.Inside;
    }
    if (c === B.DASH) {
      this.gap = Gap.Dash;
      return Feed.Inside;
    }
    if (c === B.QUOTE && this.gap === Gap.Newline) {
      this.reopen();
      return Feed.Inside;
    }
    return Feed.Rescan;
  }

  private dollar(c: number): Feed {
    if (this.candidate === null) {
      if (c === B.DOLLAR) this.candidate = '';
      return Feed.Inside;
    }
    if (c === B.DOLLAR) {
      if (this.candidate === this.tag) return Feed.Closed;
      this.candidate = ''; // this `$` may open the real closing delimiter
      return Feed.Inside;
    }
    const ok = this.candidate.length === 0 ? B.IDENT_START[c] : B.DOLQ_CONT[c];
    this.candidate = ok && this.candidate.length < this.tag.length ? this.candidate + String.fromCharCode(c) : null;
    return Feed.Inside;
  }

  /** Nested C-style comments: `/*` opens, `*\/` closes; neither shares a byte with the other. */
  private comment(c: number): Feed {
    if (c === B.STAR && this.prev === B.SLASH) {
      this.depth++;
      this.prev = 0; // `/*/` does not close what it opened
    } else if (c === B.SLASH && this.prev === B.STAR) {
      this.prev = 0;
      if (this.depth === 0) return Feed.Closed;
      this.depth--;
    } else this.prev = c;
    return Feed.Inside;
  }
}
