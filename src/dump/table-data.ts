/**
 * One table's rows as COPY text, straight from `COPY … TO STDOUT`, counted and checksummed as
 * they pass (the footer lets the importer verify them), optionally rewritten (re-encryption).
 */
import type pg from 'pg';
import { quoteIdent, quoteQualified } from '../db/connection.js';
import { copyColumns } from './ddl.js';
import { CopyOutStream } from './copy-out.js';
import { CHECKSUMS, FORMAT_VERSION } from './format.js';
import type { CopyRowRewriter } from './reencrypt.js';
import type { RunPool } from './run-pool.js';
import type { Table } from '../legacy/schema-catalog.js';

export interface TableTally {
  table: string;
  rows: number;
  /** CHECKSUMS[FORMAT_VERSION] of the block's bytes. */
  checksum: string;
  bytes: number;
}

export type ChunkProgress = (rows: number, bytes: number) => void;

/** Starts the table's COPY; the stream hands on runs of about a megabyte (see copy-out.ts). */
export function startCopy(client: pg.Client, schema: string, table: Table, runs: RunPool): CopyOutStream {
  const columns = copyColumns(table).map(quoteIdent).join(', ');
  return client.query(new CopyOutStream(`COPY ${quoteQualified(schema, table.name)} (${columns}) TO STDOUT`, runs) as unknown as pg.Submittable) as unknown as CopyOutStream;
}

/**
 * A COPY block's data: `source`'s chunks, rewritten if asked, checksummed and counted, then
 * tallied. `rows()` is read as chunks pass and at the end: one CopyData message per row in
 * text format, so a COPY stream's count is the row count.
 */
export async function* countedBlock(
  table: string,
  source: AsyncIterable<Buffer> | Iterable<Buffer>,
  rows: () => number,
  rewriter: CopyRowRewriter | null,
  tally: (t: TableTally) => void,
  onChunk?: ChunkProgress,
): AsyncGenerator<Buffer> {
  const checksum = CHECKSUMS[FORMAT_VERSION].create();
  let bytes = 0;
  for await (const chunk of source) {
    for (const out of rewriter ? rewriter.push(chunk) : [chunk]) {
      if (out.length === 0) continue;
      checksum.update(out);
      bytes += out.length;
      onChunk?.(rows(), bytes);
      yield out;
    }
  }
  if (rewriter) rewriter.end();
  tally({ table, rows: rows(), checksum: checksum.digest(), bytes });
}

/** A table's rows as they are (tables with tokens go through held-tables.ts instead). */
export async function* tableData(
  client: pg.Client,
  schema: string,
  table: Table,
  tally: (t: TableTally) => void,
  runs: RunPool,
  onChunk?: ChunkProgress,
): AsyncGenerator<Buffer> {
  const source = startCopy(client, schema, table, runs);
  yield* countedBlock(table.name, source, () => source.rowCount, null, tally, onChunk);
}
