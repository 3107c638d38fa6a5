/**
 * What the scanner learns from a statement's tokens without parsing SQL:
 * - psql's heuristic for SQL-standard function bodies (`CREATE [OR REPLACE] FUNCTION|PROCEDURE
 *   ... BEGIN ATOMIC ... END`), whose inner semicolons do not end the statement;
 * - enough about each `\;`-separated part to recognise transaction control and
 *   `COPY ... FROM STDIN` / `TO STDOUT`, which the importer must handle itself.
 */
export interface SegmentInfo {
  /** The first unquoted identifiers (keywords included), lower-cased, in order. */
  words: string[];
  /** True when the part holds identifiers only (no literals, operators or quoted names). */
  onlyWords: boolean;
  /** `COPY ... FROM STDIN` ('in') or `COPY ... TO STDOUT` ('out'), found at paren depth 0. */
  copy: 'in' | 'out' | null;
}

const MAX_WORDS = 8;
/** psql records the first letter of these keywords among a statement's first four identifiers. */
const HEAD_KEYWORDS = new Set(['create', 'function', 'procedure', 'or', 'replace']);

export class WordTracker {
  /** Open BEGIN/CASE blocks inside a CREATE FUNCTION/PROCEDURE (psql's begin_depth). */
  beginDepth = 0;
  private identifierCount = 0;
  private heads = ['', '', '', ''];
  private segments: SegmentInfo[] = [];
  private current: SegmentInfo = newSegment();
  private sawToken = false;
  private firstIsCopy = false;
  private previous: 'from' | 'to' | null = null;

  /** An unquoted identifier or keyword ended; `word` is lower-cased ASCII (truncated if long). */
  identifier(word: string, parenDepth: number): void {
    if (this.identifierCount === 0) this.heads = ['', '', '', ''];
    if (this.identifierCount < 4 && HEAD_KEYWORDS.has(word)) this.heads[this.identifierCount] = word.charAt(0);
    this.identifierCount++;
    const [h0, h1, h2, h3] = this.heads;
    const inRoutine = h0 === 'c' && (h1 === 'f' || h1 === 'p' || (h1 === 'o' && h2 === 'r' && (h3 === 'f' || h3 === 'p')));
    if (inRoutine && parenDepth === 0) {
      if (word === 'begin') this.beginDepth++;
      else if (word === 'case') {
        if (this.beginDepth >= 1) this.beginDepth++;
      } else if (word === 'end' && this.beginDepth > 0) this.beginDepth--;
    }

    const seg = this.current;
    if (seg.words.length < MAX_WORDS) seg.words.push(word);
    if (!this.sawToken) this.firstIsCopy = word === 'copy';
    this.sawToken = true;
    if (this.firstIsCopy && parenDepth === 0) {
      if (this.previous === 'from' && word === 'stdin') seg.copy = 'in';
      else if (this.previous === 'to' && word === 'stdout') seg.copy = 'out';
    }
    this.previous = word === 'from' || word === 'to' ? word : null;
  }

  /** Any other token (literal, operator, quoted identifier, parenthesis, number). */
  token(): void {
    this.sawToken = true;
    this.current.onlyWords = false;
    this.previous = null;
  }

  /** psql's `\;`: the buffer gets a `;` that does not end it, and a new part starts. */
  separator(): void {
    this.identifierCount = 0;
    this.segments.push(this.current);
    this.current = newSegment();
    this.sawToken = false;
    this.firstIsCopy = false;
    this.previous = null;
  }

  /** The statement ended: returns its parts and resets for the next one. */
  finish(): SegmentInfo[] {
    const parts = [...this.segments, this.current];
    this.identifierCount = 0;
    this.segments = [];
    this.current = newSegment();
    this.sawToken = false;
    this.firstIsCopy = false;
    this.previous = null;
    return parts;
  }
}

function newSegment(): SegmentInfo {
  return { words: [], onlyWords: true, copy: null };
}
