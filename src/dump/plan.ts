/**
 * What one dump is made of, decided before the first byte (src/dump/index.ts), and the tally
 * its sections fill in as they are written (writer.ts, data-section.ts).
 */
import type { Reencryptor } from './reencrypt.js';
import type { RunPool } from './run-pool.js';
import type { SchemaCatalog } from '../legacy/schema-catalog.js';
import type { TableTally } from './table-data.js';

export interface DumpPlan {
  catalog: SchemaCatalog;
  targetSchema: string;
  prefix: string;
  /** Key written on line 1. */
  outputKey: string;
  /** null: copy encrypted values unchanged (--keep-key). */
  reencryptor: Reencryptor | null;
  /** Tables whose rows are left out. */
  pruned: Set<string>;
  header: string[];
  /** Where the row buffers come from (and go back to, if the consumer releases them). */
  runs: RunPool;
  /** Bytes of COPY text the tables with tokens may hold in memory (held-tables.ts). */
  holdBudgetBytes: number;
}

export interface DumpSummary {
  tables: TableTally[];
  rows: number;
  bytes: number;
}
