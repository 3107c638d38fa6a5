/**
 * The server side of a replay: sends statements and COPY data on one pg.Client and watches what
 * psql watches: the server-reported standard_conforming_strings (it changes how the next
 * statement is scanned), client_encoding (we only speak UTF-8) and the transaction status.
 */
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';

type TxStatus = 'idle' | 'transaction' | 'failed' | 'unknown';

export class BatchFailure extends Error {
  constructor(
    readonly completed: number,
    readonly error: unknown,
  ) {
    super('a statement of the batch failed');
  }
}

export class ServerSession {
  standardStrings = true;
  clientEncoding = 'UTF8';
  /** Rows the server reported inserted (`INSERT 0 n` command tags), whatever the statement. */
  insertedRows = 0;

  /** Settings the server has reported since this session watches (all of them at connection time). */
  private readonly reported = new Set<string>();

  /** Made before `client.connect()`, it hears the values of the startup and needs no query for them. */
  constructor(readonly client: pg.Client) {
    client.connection.on('parameterStatus', (msg: { parameterName?: unknown; parameterValue?: unknown }) => {
      if (msg.parameterName === 'standard_conforming_strings') this.standardStrings = msg.parameterValue === 'on';
      if (msg.parameterName === 'client_encoding' && typeof msg.parameterValue === 'string') this.clientEncoding = msg.parameterValue;
      if (typeof msg.parameterName === 'string') this.reported.add(msg.parameterName);
    });
  }

  /** Asks the server for what it has not reported while we listened (made after connecting: both). */
  async readSettings(): Promise<void> {
    if (this.reported.has('standard_conforming_strings') && this.reported.has('client_encoding')) return;
    const { rows } = await this.client.query<{ scs: string; enc: string }>(
      "SELECT current_setting('standard_conforming_strings') AS scs, current_setting('client_encoding') AS enc",
    );
    this.standardStrings = rows[0]?.scs === 'on';
    this.clientEncoding = rows[0]?.enc ?? this.clientEncoding;
  }

  get utf8(): boolean {
    return /^utf-?8$|^unicode$/i.test(this.clientEncoding);
  }

  get txStatus(): TxStatus {
    switch (this.client.getTransactionStatus()) {
      case 'I':
        return 'idle';
      case 'T':
        return 'transaction';
      case 'E':
        return 'failed';
      default:
        return 'unknown';
    }
  }

  /** Simple-query protocol, like psql: one round trip, and `\;` compounds go as one query. */
  async execute(sql: string): Promise<void> {
    this.tally(await this.client.query(sql));
  }

  private tally(result: pg.QueryResult | pg.QueryResult[]): void {
    for (const r of Array.isArray(result) ? result : [result]) {
      if (r.command === 'INSERT') this.insertedRows += r.rowCount ?? 0;
    }
  }

  /**
   * Runs several statements as one simple query. The server stops at the first error; the
   * CommandComplete messages received before it tell which statement failed.
   */
  async executeBatch(sql: string): Promise<void> {
    let completed = 0;
    const count = (): void => {
      completed++;
    };
    const con = this.client.connection;
    con.on('commandComplete', count);
    try {
      this.tally(await this.client.query(sql));
    } catch (err) {
      throw new BatchFailure(completed, err);
    } finally {
      con.off('commandComplete', count);
    }
  }

  /** Streams a COPY block with backpressure; resolves with the server's row count. */
  async copyIn(sql: string, data: AsyncIterable<Buffer>): Promise<number> {
    const stream = this.client.query(copyFrom(sql));
    await pipeline(data, stream);
    return stream.rowCount;
  }

  /**
   * Resolves once everything written to the server socket so far has left the process:
   * COPY data is written straight from reused input buffers (see pooled-file.ts).
   */
  flushed(): Promise<void> {
    const socket = this.client.connection.stream;
    if (socket.writableLength === 0 || socket.destroyed) return Promise.resolve();
    // An empty write completes after every write queued before it (a socket flushes in order).
    return new Promise((resolve) => socket.write(Buffer.alloc(0), () => resolve()));
  }

  /** Best effort: leave no open transaction behind an error. */
  async rollback(): Promise<void> {
    const s = this.txStatus;
    if (s === 'transaction' || s === 'failed') await this.client.query('ROLLBACK').catch(() => undefined);
  }
}
