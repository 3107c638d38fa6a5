/**
 * The COPY-row rewriter that moves a workspace's Fernet-encrypted columns (src/legacy/fief-schema.ts)
 * from the instance's key to the export's key.
 */
import { Fernet, FernetTokenError } from '../crypto/fernet.js';
import { ExporterError } from '../errors.js';
import { COPY_NL, decodeCopyField, encodeCopyField, isNullField, splitCopyRow } from './copy-text.js';

/**
 * The `id` of a COPY row for an error message: `starts` holds each field's start, then the
 * row's end + 1; `idIndex` is the id column's index (-1: none).
 */
export function copyRowId(row: Buffer, starts: readonly number[], idIndex: number): string {
  if (idIndex < 0) return '?';
  return decodeCopyField(row.toString('utf8', starts[idIndex] ?? 0, (starts[idIndex + 1] ?? 1) - 1)) ?? '?';
}

export function decryptFailure(table: string, column: string, rowId: string): ExporterError {
  return new ExporterError(
    'DECRYPT_FAILED',
    `cannot decrypt ${table}.${column} of row ${rowId} with the given ENCRYPTION_KEY (is it the instance's key?)`,
  );
}

/** Decrypts with the source key and re-encrypts with the export key; plaintext never leaves memory. */
export class Reencryptor {
  readonly #source: Fernet;
  readonly #target: Fernet;

  constructor(sourceKey: string, targetKey: string) {
    this.#source = new Fernet(sourceKey);
    this.#target = new Fernet(targetKey);
  }

  reencrypt(token: string): string {
    return this.#target.encrypt(this.#source.decrypt(token));
  }

  /** Throws FernetTokenError when the token was not made with the source key. */
  check(token: string): void {
    this.#source.decrypt(token);
  }
}

/** The COPY text of a (non-NULL) field's new value, from the COPY text of its old one. */
export function rewriteCopyField(raw: string, rewrite: (value: string) => string): string {
  // decodeCopyField only answers null for `\N`, which callers skip.
  const value = raw.includes('\\') ? (decodeCopyField(raw) ?? raw) : raw;
  return encodeCopyField(rewrite(value));
}

/** One field's new COPY text, for data[from, to). */
export interface FieldEdit {
  from: number;
  to: number;
  text: string;
}

/**
 * The encrypted fields of one table's COPY rows and how to rewrite them: what the streaming
 * rewriter below and the held tables (held-tables.ts) both apply, row by row.
 */
export class RowFieldRewriter {
  /** Column indexes to rewrite, in column order (edits come left to right). */
  readonly #targets: number[];
  readonly #idIndex: number;
  readonly #starts: number[];
  readonly #edits: FieldEdit[] = [];

  constructor(
    readonly table: string,
    readonly columns: readonly string[],
    readonly targetNames: readonly string[],
    readonly rewrite: (value: string) => string,
  ) {
    this.#targets = targetNames
      .map((name) => {
        const index = columns.indexOf(name);
        if (index < 0) throw new Error(`${table} has no column ${name}`);
        return index;
      })
      .sort((a, b) => a - b);
    this.#idIndex = columns.indexOf('id');
    this.#starts = new Array<number>(columns.length + 1);
  }

  /**
   * The edits of the row data[from, end) (`end`: where its newline is, or would be), valid
   * until the next call; null when the row has another number of fields. A token that does
   * not decrypt throws decryptFailure, naming the row.
   */
  edits(data: Buffer, from: number, end: number): readonly FieldEdit[] | null {
    const starts = this.#starts;
    if (!splitCopyRow(data, from, end, this.columns.length, starts)) return null;
    const edits = this.#edits;
    edits.length = 0;
    for (const index of this.#targets) {
      const start = starts[index] ?? 0;
      const stop = (starts[index + 1] ?? 0) - 1;
      if (isNullField(data, start, stop)) continue;
      try {
        edits.push({ from: start, to: stop, text: rewriteCopyField(data.toString('utf8', start, stop), this.rewrite) });
      } catch (err) {
        if (err instanceof FernetTokenError) throw decryptFailure(this.table, this.columns[index] ?? '?', copyRowId(data, starts, this.#idIndex));
        throw err;
      }
    }
    return edits;
  }
}

/**
 * Rewrites selected fields of COPY text rows. Rows end with `\n` (a newline inside a value is
 * escaped as `\n`) and fields with `\t`, so both splits are exact on bytes; a row may span
 * chunks. It works on the bytes and only turns the rewritten fields into strings: a Fernet
 * token keeps its length when re-encrypted (same plaintext, same padding), so the new one is
 * written over the old in place and the chunk is handed on without a copy. push() takes
 * ownership of the chunk it is given.
 */
export class CopyRowRewriter {
  #carry: Buffer | null = null;
  readonly #fields: RowFieldRewriter;

  constructor(table: string, columns: readonly string[], targets: readonly string[], rewrite: (value: string) => string) {
    this.#fields = new RowFieldRewriter(table, columns, targets, rewrite);
  }

  /**
   * The rewritten complete rows of `chunk` (and of the row carried over from the chunk
   * before), as views of `chunk` where possible: the pieces, in order.
   */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let start = 0;
    if (this.#carry) {
      const nl = chunk.indexOf(COPY_NL);
      if (nl < 0) {
        this.#carry = Buffer.concat([this.#carry, chunk]);
        return out;
      }
      // Only the row that straddles the two chunks is copied.
      const row = Buffer.concat([this.#carry, chunk.subarray(0, nl + 1)]);
      this.#carry = null;
      out.push(this.#rewriteRows(row));
      start = nl + 1;
    }
    const end = chunk.lastIndexOf(COPY_NL);
    if (end + 1 < chunk.length && end + 1 >= start) this.#carry = Buffer.from(chunk.subarray(Math.max(end + 1, start)));
    if (end >= start) out.push(this.#rewriteRows(chunk.subarray(start, end + 1)));
    return out;
  }

  /** Rewrites whole rows (data ends with a newline), in place when lengths allow. */
  #rewriteRows(data: Buffer): Buffer {
    const end = data.length - 1;
    // Pieces before and after fields whose new value has another length (never for a valid
    // token, but the bytes decide, not that assumption).
    const pieces: Buffer[] = [];
    let copiedTo = 0;
    for (let row = 0; row <= end; ) {
      const rowEnd = data.indexOf(COPY_NL, row);
      const edits = this.#fields.edits(data, row, rowEnd);
      if (!edits) throw new Error(`unexpected COPY row shape in ${this.#fields.table}`);
      for (const { from, to, text } of edits) {
        if (Buffer.byteLength(text) === to - from) {
          data.write(text, from, 'utf8');
        } else {
          pieces.push(data.subarray(copiedTo, from), Buffer.from(text, 'utf8'));
          copiedTo = to;
        }
      }
      row = rowEnd + 1;
    }
    const rest = data.subarray(copiedTo);
    return pieces.length === 0 ? rest : Buffer.concat([...pieces, rest]);
  }

  end(): void {
    if (this.#carry) throw new Error(`COPY data of ${this.#fields.table} ended inside a row`);
  }
}
