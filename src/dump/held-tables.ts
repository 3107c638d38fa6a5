/**
 * Tables with OAuth tokens, read before the others and held in memory while the rest of the
 * dump streams: their tokens are re-encrypted in place, in short slices of the main thread
 * between the socket reads of the other tables, and the held rows are written after them
 * (data order is free: keys, indexes and foreign keys only come after all of it).
 *
 * Why: a token costs ~10 µs to decrypt and re-encrypt. Done while its table streams, 30 000
 * tokens hold the export for ~0.4 s with the server idle; done while fief_audit_logs streams,
 * the same work fills time the process would otherwise spend waiting for the server. Reading
 * the table first (rather than its tokens first and the table again at the end) costs the
 * server one read of it, as pg_dump does.
 *
 * A re-encrypted token is as long as the old one (same plaintext, same padding), so it is
 * written over the old one in the held buffers. The first row where that does not hold (a
 * token that does not decrypt, a value of another length, a row of an unexpected shape) stops
 * the in-place pass; from that row on, the table goes through the streaming CopyRowRewriter
 * when it is written, which is also what reports a bad token with its table, column and row.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isExporterError, type ExporterError } from '../errors.js';
import { COPY_NL } from './copy-text.js';
import { CopyRowRewriter, RowFieldRewriter, type FieldEdit } from './reencrypt.js';

/** COPY text held across all token tables; a table that does not fit streams at once instead. */
export const HOLD_BUDGET_BYTES = 16 * 1024 * 1024;
/** Long enough to amortise the loop, short enough not to delay a socket read noticeably. */
const SLICE_MS = 1;

export class HeldTable {
  readonly chunks: Buffer[] = [];
  bytes = 0;
  /** Set once the table's COPY has ended. */
  rows = 0;
  /**
   * A token that does not decrypt, met by the in-place pass: the export can stop now instead
   * of after every other table (the writer checks between chunks).
   */
  failure: ExporterError | null = null;
  readonly #fields: RowFieldRewriter;
  /** The in-place pass: the start of the next row to rewrite. */
  #chunk = 0;
  #offset = 0;
  #stopped = false;

  constructor(table: string, columns: readonly string[], targets: readonly string[], rewrite: (value: string) => string) {
    this.#fields = new RowFieldRewriter(table, columns, targets, rewrite);
  }

  add(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
  }

  /** Rows are left for the in-place pass. */
  get pending(): boolean {
    return !this.#stopped && this.#chunk < this.chunks.length;
  }

  /** Rewrites whole rows in place until `deadline` (performance.now()) or the end. */
  rewriteUntil(deadline: number): void {
    let n = 0;
    // performance.now() costs more than a row: look at the clock every few rows.
    while (this.pending && (++n % 8 !== 0 || performance.now() < deadline)) this.#rewriteNextRow();
  }

  /**
   * The table's COPY text: the rows rewritten in place as they are, the rest through the
   * streaming rewriter. Each held buffer reaches the consumer once, as one piece or through
   * the rewriter, so a
   * consumer that recycles buffers (RunPool) never recycles one still to be written.
   */
  *output(): Generator<Buffer> {
    for (let i = 0; i < this.#chunk; i++) yield this.chunks[i] as Buffer;
    if (this.#chunk >= this.chunks.length) return;
    const { table, columns, targetNames, rewrite } = this.#fields;
    const rewriter = new CopyRowRewriter(table, columns, targetNames, rewrite);
    const first = this.chunks[this.#chunk] as Buffer;
    // A copy for the rewritten part: the rest of this buffer is handed on as a view of it.
    if (this.#offset > 0) yield Buffer.from(first.subarray(0, this.#offset));
    yield* rewriter.push(first.subarray(this.#offset));
    for (let i = this.#chunk + 1; i < this.chunks.length; i++) yield* rewriter.push(this.chunks[i] as Buffer);
    rewriter.end();
  }

  #rewriteNextRow(): void {
    const chunk = this.chunks[this.#chunk] as Buffer;
    const nl = chunk.indexOf(COPY_NL, this.#offset);
    if (nl >= 0) {
      if (!this.#rewriteRow(chunk.subarray(this.#offset, nl))) return this.#stop();
      this.#offset = nl + 1;
    } else if (!this.#rewriteStraddlingRow()) return this.#stop();
    if (this.#offset >= (this.chunks[this.#chunk]?.length ?? 0)) {
      this.#chunk++;
      this.#offset = 0;
    }
  }

  /** A row that continues in the next buffer(s): rewritten in a copy, then copied back. */
  #rewriteStraddlingRow(): boolean {
    const pieces: Buffer[] = [(this.chunks[this.#chunk] as Buffer).subarray(this.#offset)];
    let last = this.#chunk + 1;
    let nl = -1;
    for (; last < this.chunks.length; last++) {
      const chunk = this.chunks[last] as Buffer;
      nl = chunk.indexOf(COPY_NL);
      pieces.push(nl < 0 ? chunk : chunk.subarray(0, nl));
      if (nl >= 0) break;
    }
    if (nl < 0) return false; // no row end: not COPY text as we know it
    const row = Buffer.concat(pieces);
    if (!this.#rewriteRow(row)) return false;
    let at = 0;
    for (const piece of pieces) at += row.copy(piece, 0, at, at + piece.length);
    this.#chunk = last;
    this.#offset = nl + 1;
    return true;
  }

  /** Rewrites the target fields of one row (without its newline) in place, all or none. */
  #rewriteRow(row: Buffer): boolean {
    let edits: readonly FieldEdit[] | null;
    try {
      edits = this.#fields.edits(row, 0, row.length);
    } catch (err) {
      if (isExporterError(err) && err.code === 'DECRYPT_FAILED') this.failure = err;
      return false;
    }
    if (!edits || edits.some((e) => Buffer.byteLength(e.text) !== e.to - e.from)) return false;
    for (const e of edits) row.write(e.text, e.from, 'utf8');
    return true;
  }

  #stop(): void {
    this.#stopped = true;
  }
}

/**
 * Runs the held tables' in-place passes in slices while the rest of the dump streams. Slices
 * belong only where the server is busy streaming a large table: between tables (or within a
 * small one, whose whole answer is one read) each event-loop turn of the query round trip
 * would carry a slice and keep the server waiting for the next query.
 */
export class BackgroundRewrite {
  #timer: NodeJS.Immediate | null = null;
  #stopped = false;

  constructor(private readonly tables: readonly HeldTable[]) {}

  /** Runs slices from the next turn on, until pause() or stop(), or the passes are done. */
  start(): void {
    if (!this.#stopped && this.#timer === null && this.tables.some((t) => t.pending)) this.#timer = setImmediate(this.#slice);
  }

  /** No more slices until the next start(). */
  pause(): void {
    if (this.#timer) clearImmediate(this.#timer);
    this.#timer = null;
  }

  /** No more slices, for good. */
  stop(): void {
    this.pause();
    this.#stopped = true;
  }

  /** The token that does not decrypt, once a pass has met one: the export stops on it. */
  get failure(): ExporterError | null {
    for (const table of this.tables) if (table.failure) return table.failure;
    return null;
  }

  readonly #slice = (): void => {
    this.#timer = null;
    const deadline = performance.now() + SLICE_MS;
    for (const table of this.tables) {
      table.rewriteUntil(deadline);
      if (table.pending) break;
    }
    if (!this.#stopped && this.tables.some((t) => t.pending)) this.#timer = setImmediate(this.#slice);
  };
}

/** Finishes a table's in-place pass, yielding to the event loop between slices (a web server shares it). */
export async function finishInPlace(table: HeldTable): Promise<void> {
  while (table.pending) {
    table.rewriteUntil(performance.now() + 5 * SLICE_MS);
    if (table.pending) await nextTurn();
  }
}
