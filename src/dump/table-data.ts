/**
 * One table's rows as COPY text, straight from `COPY … TO STDOUT`, counted and hashed as they
 * pass (the footer lets the importer verify them), optionally rewritten (re-encryption).
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { quoteIdent } from '../db/connection.js';
import { copyColumns, qualified } from './ddl.js';
import { CopyOutStream } from './copy-out.js';
import type { CopyRowRewriter } from './reencrypt.js';
import type { Table } from './source-catalog.js';

export interface TableTally {
  table: string;
  rows: number;
  sha256: string;
  bytes: number;
}

export async function* tableData(
  client: pg.Client,
  schema: string,
  table: Table,
  rewriter: CopyRowRewriter | null,
  tally: (t: TableTally) => void,
  onChunk?: (rows: number, bytes: number) => void,
): AsyncGenerator<Buffer> {
  const columns = copyColumns(table).map(quoteIdent).join(', ');
  const source = client.query(new CopyOutStream(`COPY ${qualified(schema, table.name)} (${columns}) TO STDOUT`) as unknown as pg.Submittable) as unknown as CopyOutStream;
  const hash = createHash('sha256');
  let bytes = 0;
  const emit = (out: Buffer): Buffer => {
    hash.update(out);
    bytes += out.length;
    onChunk?.(source.rowCount, bytes);
    return out;
  };
  for await (const chunk of source as AsyncIterable<Buffer>) {
    const out = rewriter ? rewriter.push(chunk) : chunk;
    if (out.length > 0) yield emit(out);
  }
  if (rewriter) rewriter.end();
  // One CopyData message per row in text format: the stream's count is the row count.
  tally({ table: table.name, rows: source.rowCount, sha256: hash.digest('hex'), bytes });
}
