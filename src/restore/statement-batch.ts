/**
 * Consecutive INSERT statements (pg_dump --inserts, hand-written seed scripts) sent as one
 * multi-statement query instead of one round trip each: in our single transaction the server
 * runs them in order and stops at the first error, exactly as psql sending them one by one
 * would, and the end state is the same. INSERTs cannot change how the script is scanned
 * (standard_conforming_strings) or end the transaction, so nothing is scanned ahead of a
 * setting it depends on. A failure is reported against the statement that caused it.
 */
import { asServerError, codePoints } from './messages.js';
import { BatchFailure, type ServerSession } from './server-session.js';

export interface BatchItem {
  text: string;
  line: number;
}

const MAX_ITEMS = 200;
const MAX_CHARS = 1 << 20;

export class StatementBatch {
  private items: BatchItem[] = [];
  private chars = 0;

  constructor(
    private readonly server: ServerSession,
    /** Builds the error for one failed statement; `position` is relative to that statement. */
    private readonly failed: (err: unknown, item: BatchItem, position: string | undefined) => Error,
  ) {}

  /** Queues a statement; sends the batch when it is full. */
  async add(item: BatchItem): Promise<void> {
    this.items.push(item);
    this.chars += item.text.length + 1;
    if (this.items.length >= MAX_ITEMS || this.chars >= MAX_CHARS) await this.flush();
  }

  async flush(): Promise<void> {
    const items = this.items;
    if (items.length === 0) return;
    this.items = [];
    this.chars = 0;
    if (items.length === 1 && items[0]) return this.one(items[0]);
    try {
      await this.server.executeBatch(items.map((i) => i.text).join('\n'));
    } catch (err) {
      if (!(err instanceof BatchFailure)) throw err;
      throw this.attribute(items, err);
    }
  }

  /**
   * Which statement failed: the one holding the error position when there is one (a syntax
   * error stops the whole query before anything runs), else the first one not completed.
   */
  private attribute(items: BatchItem[], failure: BatchFailure): Error {
    const position = Number(asServerError(failure.error)?.position);
    let offset = 0; // in characters, as the server counts positions
    for (let k = 0; k < items.length; k++) {
      const item = items[k] as BatchItem;
      const length = codePoints(item.text) + 1;
      const inside = Number.isInteger(position) ? position - offset <= length : k === failure.completed;
      if (inside) return this.failed(failure.error, item, Number.isInteger(position) ? String(position - offset) : undefined);
      offset += length;
    }
    return failure.error instanceof Error ? failure.error : new Error(String(failure.error));
  }

  private async one(item: BatchItem): Promise<void> {
    try {
      await this.server.execute(item.text);
    } catch (err) {
      throw this.failed(err, item, asServerError(err)?.position);
    }
  }
}
