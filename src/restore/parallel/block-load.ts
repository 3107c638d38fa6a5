/**
 * Streams each COPY block of a parallel load into its staged table. Usually on the loader session
 * alone, with `COPY ... FREEZE` after a TRUNCATE in the same transaction, so the rows need no
 * hint-bit pass when indexes and keys read them next. A large block met while the other jobs have
 * (almost) nothing to do — the first large table: its keys and indexes wait for its last row — is
 * shared with them instead, each joining as it becomes idle (split-copy.ts).
 */
import type { ServerSession } from '../server-session.js';
import type { Job } from './jobs.js';
import type { PostDataScheduler } from './scheduler.js';
import { splitCopy } from './split-copy.js';

/** A block this large (rows announced by its verify line) is worth sharing between sessions ... */
const SHARED_BLOCK_ROWS = 100_000;
/** ... when the other jobs have less work than this (COPY bytes of their tables) ahead of them. */
const IDLE_BACKLOG_BYTES = 16e6;

export interface Block {
  table: string;
  /** The staged table, qualified and quoted. */
  relation: string;
  /** `COPY <relation> (<columns>) FROM stdin`. */
  copy: string;
  /** Rows the dump's footer announces for it, if it was read ahead. */
  announcedRows: number | undefined;
  data: AsyncIterable<Buffer>;
  /** The block's data lines in the slices taken so far. */
  linesRead: () => number;
}

export class BlockLoader {
  /** Sessions lent by the scheduler to the block being shared, if one is. */
  private helpers: Job[] = [];

  constructor(
    readonly loader: Job,
    private readonly scheduler: PostDataScheduler,
  ) {}

  /** The sessions COPY data is being written to. */
  private get copying(): Job[] {
    return [this.loader, ...this.helpers];
  }

  /** Resolves once the COPY data written so far has left the process (see pooled-file.ts). */
  async flushed(): Promise<void> {
    await Promise.all(this.copying.map((j) => j.server.flushed()));
  }

  /** Loads one block; returns the server's row count. */
  async load(block: Block): Promise<number> {
    const { loader } = this;
    loader.task = `loading ${block.table}`;
    const join = (): ServerSession[] => {
      const idle = this.scheduler.lendIdle();
      for (const j of idle) j.task = loader.task;
      this.helpers.push(...idle);
      return idle.map((j) => j.server);
    };
    const shared = (block.announcedRows ?? 0) >= SHARED_BLOCK_ROWS && this.scheduler.backlog() < IDLE_BACKLOG_BYTES;
    let rows: number;
    try {
      if (shared) rows = await splitCopy(loader.server, join, block.copy, block.data, block.linesRead);
      else {
        await loader.server.execute(`BEGIN; TRUNCATE ${block.relation}`);
        rows = await loader.server.copyIn(`${block.copy} WITH (FREEZE)`, block.data);
        await loader.server.execute('COMMIT');
      }
    } finally {
      for (const j of this.copying) j.task = null;
    }
    // Only after a success: after a failure every job session is cancelled.
    const helpers = this.helpers;
    this.helpers = [];
    for (const h of helpers) this.scheduler.addJob(h);
    return rows;
  }
}
