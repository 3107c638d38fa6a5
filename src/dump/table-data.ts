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

const COALESCE_BYTES = 1024 * 1024;

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
  // Socket reads are ~64 KB; handing them on in runs of about 1 MB means 16 times fewer file
  // writes and stream hand-offs downstream.
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    const out = rewriter ? rewriter.push(chunk) : chunk;
    if (out.length === 0) continue;
    pending.push(out);
    pendingBytes += out.length;
    if (pendingBytes >= COALESCE_BYTES) {
      yield emit(pending.length === 1 ? out : Buffer.concat(pending, pendingBytes));
      pending = [];
      pendingBytes = 0;
    }
  }
  if (pendingBytes > 0) yield emit(Buffer.concat(pending, pendingBytes));
  if (rewriter) rewriter.end();
  // One CopyData message per row in text format: the stream's count is the row count.
  tally({ table: table.name, rows: source.rowCount, sha256: hash.digest('hex'), bytes });
}
