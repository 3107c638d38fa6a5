/**
 * Bulk loading with COPY FROM STDIN (text format), streamed: rows are pulled from a generator
 * only as fast as the server takes them, so a million rows never sit in memory.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { quoteIdent } from '../../db/connection.js';

export type CopyValue = string | number | boolean | null;
export type Row = Readonly<Record<string, CopyValue>>;

const SPECIAL = /[\\\n\r\t]/;
const SPECIAL_G = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * One field in COPY text format. Backslash, newline, CR and tab are the only bytes COPY text
 * treats specially (as data, a line `\.` can only appear as `\\.`, which is not the end marker).
 */
export function encodeField(value: CopyValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'boolean') return value ? 't' : 'f';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`cannot COPY the number ${value}`);
    return String(value);
  }
  return SPECIAL.test(value) ? value.replace(SPECIAL_G, (c) => ESCAPES[c] ?? c) : value;
}

export function encodeRow(columns: readonly string[], row: Row): string {
  let line = '';
  for (let i = 0; i < columns.length; i++) {
    const name = columns[i]!;
    const value = row[name];
    // A generator that forgets a column is a bug in the fixture, not a NULL.
    if (value === undefined) throw new Error(`fixture row misses column ${name}`);
    line += (i === 0 ? '' : '\t') + encodeField(value);
  }
  return `${line}\n`;
}

const CHUNK = 256 * 1024;

/** Streams `rows` into `table` (in the current search_path) and returns how many were sent. */
export async function copyRows(client: pg.Client, table: string, columns: readonly string[], rows: Iterable<Row>): Promise<number> {
  const it = rows[Symbol.iterator]();
  let count = 0;
  const source = new Readable({
    read() {
      try {
        let chunk = '';
        while (chunk.length < CHUNK) {
          const next = it.next();
          if (next.done === true) {
            if (chunk.length > 0) this.push(chunk);
            this.push(null);
            return;
          }
          chunk += encodeRow(columns, next.value);
          count++;
        }
        this.push(chunk);
      } catch (err) {
        this.destroy(err instanceof Error ? err : new Error(String(err)));
      }
    },
  });
  const sql = `COPY ${quoteIdent(table)} (${columns.map(quoteIdent).join(', ')}) FROM STDIN`;
  await pipeline(source, client.query(copyFrom(sql)));
  return count;
}
