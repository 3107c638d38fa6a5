/**
 * One table's rows as COPY text, straight from `COPY … TO STDOUT`, counted and checksummed as
 * they pass (the footer lets the importer verify them), optionally rewritten (re-encryption).
 */
import type pg from 'pg';
import { quoteIdent } from '../db/connection.js';
import { copyColumns, qualified } from './ddl.js';
import { CopyOutStream } from './copy-out.js';
import { CHECKSUMS, FORMAT_VERSION } from './format.js';
import type { CopyRowRewriter } from './reencrypt.js';
import type { RunPool } from './run-pool.js';
import type { Table } from './source-catalog.js';

export interface TableTally {
  table: string;
  rows: number;
  /** CHECKSUMS[FORMAT_VERSION] of the block's bytes. */
  checksum: string;
  bytes: number;
}

export async function* tableData(
  client: pg.Client,
  schema: string,
  table: Table,
  rewriter: CopyRowRewriter | null,
  tally: (t: TableTally) => void,
  runs: RunPool,
  onChunk?: (rows: number, bytes: number) => void,
): AsyncGenerator<Buffer> {
  const columns = copyColumns(table).map(quoteIdent).join(', ');
  const source = client.query(new CopyOutStream(`COPY ${qualified(schema, table.name)} (${columns}) TO STDOUT`, runs) as unknown as pg.Submittable) as unknown as CopyOutStream;
  const checksum = CHECKSUMS[FORMAT_VERSION].create();
  let bytes = 0;
  // The source hands on runs of about a megabyte (see copy-out.ts), so each one goes straight on.
  for await (const chunk of source as AsyncIterable<Buffer>) {
    for (const out of rewriter ? rewriter.push(chunk) : [chunk]) {
      if (out.length === 0) continue;
      checksum.update(out);
      bytes += out.length;
      onChunk?.(source.rowCount, bytes);
      yield out;
    }
  }
  if (rewriter) rewriter.end();
  // One CopyData message per row in text format: the stream's count is the row count.
  tally({ table: table.name, rows: source.rowCount, checksum: checksum.digest(), bytes });
}
