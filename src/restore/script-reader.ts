/**
 * Reads a SQL script from a stream of chunks the way psql reads a file: statements and
 * meta-commands from the SQL scanner, and after each `COPY ... FROM stdin` statement its data
 * lines up to `\.`. Pull-based, so the caller executes each statement (and learns, for
 * instance, a new standard_conforming_strings) before the next one is scanned, and reading
 * pauses while the server is busy. A UTF-8 byte-order mark at the start is skipped, as psql does.
 */
import { ExporterError } from '../errors.js';
import * as B from './bytes.js';
import { CopyScanner } from './copy-scanner.js';
import { SqlScanner, type SqlEvent } from './sql-scanner.js';

export type ScriptEvent = SqlEvent | { kind: 'end' };

const EMPTY: Buffer = Buffer.alloc(0);
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

export class ScriptReader {
  readonly sql = new SqlScanner();
  /** Script bytes taken from the source so far (after decompression). */
  bytesRead = 0;
  private main: Buffer = EMPTY;
  private mainPos = 0;
  /** Text that followed a COPY statement on its line: psql scans it after the data. */
  private stash: Buffer | null = null;
  private stashPos = 0;
  private lineAfterStash = 0;
  private eof = false;
  private bomChecked = false;
  private finished: ScriptEvent[] | null = null;
  private copy: CopyScanner | null = null;
  private readonly pushedBack: ScriptEvent[] = [];
  /** First data line of the current (or last) COPY block. */
  copyStartLine = 0;

  constructor(private readonly source: AsyncIterator<unknown>) {}

  /** The whole input has been taken from the source. */
  get atEnd(): boolean {
    return this.eof;
  }

  /** Line of the next unread byte. */
  get line(): number {
    return this.sql.line;
  }

  /** Data lines read so far in the COPY block being streamed (for progress). */
  get copyLines(): number {
    return this.copy?.lines ?? 0;
  }

  /** Events read ahead (to tell the format from the first lines) and handed back, in order. */
  pushBack(...events: ScriptEvent[]): void {
    this.pushedBack.push(...events);
  }

  async next(): Promise<ScriptEvent> {
    const pushed = this.pushedBack.shift();
    if (pushed) return pushed;
    for (;;) {
      if (this.finished) return this.finished.shift() ?? { kind: 'end' };
      if (this.stash) {
        this.stashPos = this.sql.scan(this.stash, this.stashPos);
        if (this.stashPos >= this.stash.length) {
          this.stash = null;
          this.sql.restartLine(this.lineAfterStash);
        }
      } else if (this.mainPos < this.main.length) {
        this.mainPos = this.sql.scan(this.main, this.mainPos);
      } else if (!(await this.fill())) {
        this.finished = this.sql.finish();
        continue;
      }
      const ev = this.sql.takeEvent();
      if (ev) return ev;
    }
  }

  /**
   * The data of the COPY statement just returned by `next()`, as slices of the input (views,
   * not copies). Ends after the `\.` line; throws if the input ends first.
   */
  async *copyData(onSlice?: (slice: Buffer) => void): AsyncGenerator<Buffer, void, undefined> {
    const copyLine = this.sql.line;
    const fromStash = this.stash !== null;
    const rest = await this.restOfLine();
    const dataLine = fromStash ? this.lineAfterStash : copyLine + 1;
    this.copyStartLine = dataLine;
    const copy = new CopyScanner();
    this.copy = copy;
    for (;;) {
      if (this.mainPos >= this.main.length) {
        if (await this.fill()) continue;
        const end = copy.finish();
        if (end.data) {
          onSlice?.(end.data);
          yield end.data;
        }
        if (end.done) break;
        throw new ExporterError(
          'IMPORT_PARSE_ERROR',
          `line ${copyLine}: the COPY data starting at line ${dataLine} has no terminating \\. line (the file ends at line ${dataLine + copy.lines})`,
        );
      }
      const r = copy.scan(this.main, this.mainPos);
      this.main = r.buffer;
      this.mainPos = r.next;
      if (r.data) {
        onSlice?.(r.data);
        yield r.data;
      }
      if (r.done) break;
    }
    const after = dataLine + copy.lines + 1;
    this.copy = null;
    if (rest && rest.some((c) => !B.SPACE_CHARS[c])) {
      this.stash = rest;
      this.stashPos = 0;
      this.sql.restartLine(copyLine);
      this.lineAfterStash = after;
    } else this.sql.restartLine(after);
  }

  /** Takes the remainder of the COPY statement's line (through its `\n`); null at end of input. */
  private async restOfLine(): Promise<Buffer | null> {
    if (this.stash) {
      const rest = this.stash.subarray(this.stashPos);
      this.stash = null; // a stash always ends with its line's newline
      return rest;
    }
    const parts: Buffer[] = [];
    for (;;) {
      if (this.mainPos >= this.main.length && !(await this.fill())) return null;
      const nl = this.main.indexOf(B.NL, this.mainPos);
      const end = nl === -1 ? this.main.length : nl + 1;
      parts.push(Buffer.from(this.main.subarray(this.mainPos, end)));
      this.mainPos = end;
      if (nl !== -1) return Buffer.concat(parts);
    }
  }

  private async fill(): Promise<boolean> {
    if (this.eof) return false;
    for (;;) {
      const r = await this.source.next();
      if (r.done) {
        this.eof = true;
        if (!this.bomChecked) this.checkBom(this.main);
        return this.mainPos < this.main.length;
      }
      const chunk = toBuffer(r.value);
      this.bytesRead += chunk.length;
      if (chunk.length === 0) continue;
      if (this.bomChecked) {
        this.main = chunk;
        this.mainPos = 0;
        return true;
      }
      // The mark may arrive split over tiny chunks (a pipe): gather three bytes first.
      const head = this.main.length ? Buffer.concat([this.main, chunk]) : chunk;
      this.main = head;
      this.mainPos = head.length;
      if (head.length < BOM.length && head.equals(BOM.subarray(0, head.length))) continue;
      this.checkBom(head);
      if (this.mainPos < this.main.length) return true;
    }
  }

  private checkBom(head: Buffer): void {
    this.bomChecked = true;
    this.main = head;
    this.mainPos = head.subarray(0, 3).equals(BOM) ? 3 : 0;
  }
}

function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new ExporterError('INPUT_ERROR', 'the input stream produced something other than bytes');
}
