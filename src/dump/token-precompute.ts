/**
 * Re-encrypts an export's OAuth tokens ahead of their table, in short slices of the main
 * thread between the socket reads of the tables that stream before it (the writer puts the
 * tables with tokens last).
 *
 * Why: a token costs ~10 µs to decrypt and re-encrypt (two HMACs, two AES passes). Done while
 * its table streams, 30 000 tokens hold the export for ~0.4 s with the server idle; done in
 * slices while fief_audit_logs streams, the same work fills time the process would otherwise
 * spend waiting for the server.
 *
 * The tokens are fetched in the dump's snapshot in scan order, the order COPY then sends them
 * in, so they are matched by position, and every match is checked byte for byte against the
 * COPY field: a token that differs (another order, a budget cut) is simply done inline, and
 * the streaming path stays the one that reports a bad token with its row. Old and new tokens
 * live in two byte buffers, not as strings: memory is the token text and nothing more, capped
 * by a budget.
 */
import type pg from 'pg';
import { quoteIdent } from '../db/connection.js';
import { copyColumns, qualified } from './ddl.js';
import { encryptedColumnsOf, type Reencryptor } from './reencrypt.js';
import { CopyOutStream } from './copy-out.js';
import { TableTokens, TokenFieldParser } from './table-tokens.js';
import type { RunPool } from './run-pool.js';
import type { SchemaCatalog, Table } from './source-catalog.js';

/** COPY text of the old tokens kept for precomputing (the new ones take as much again). */
const PRECOMPUTE_BUDGET_BYTES = 8 * 1024 * 1024;
/** Long enough to amortise the loop, short enough not to delay a socket read noticeably. */
const SLICE_MS = 1;

export class TokenPrecompute {
  readonly #tables = new Map<string, TableTokens>();
  #timer: NodeJS.Immediate | null = null;
  #stopped = false;

  constructor(private readonly reencryptor: Reencryptor) {}

  add(table: string, tokens: TableTokens): void {
    this.#tables.set(table, tokens);
  }

  tokensOf(table: string): TableTokens | undefined {
    return this.#stopped ? undefined : this.#tables.get(table);
  }

  start(): void {
    if (!this.#stopped && this.#timer === null) this.#timer = setImmediate(this.#slice);
  }

  /** No more background work (a table with tokens is streaming now: the rest goes inline). */
  pause(): void {
    if (this.#timer) clearImmediate(this.#timer);
    this.#timer = null;
  }

  stop(): void {
    this.pause();
    this.#stopped = true;
    this.#tables.clear();
  }

  readonly #slice = (): void => {
    this.#timer = null;
    const deadline = performance.now() + SLICE_MS;
    const reencrypt = (token: string): string => this.reencryptor.reencrypt(token);
    for (const tokens of this.#tables.values()) {
      while (tokens.pending && performance.now() < deadline) tokens.computeNext(reencrypt);
      if (tokens.pending) break;
    }
    if ([...this.#tables.values()].some((t) => t.pending)) this.#timer = setImmediate(this.#slice);
  };
}

/** Encrypted columns of a table in COPY column order: the order the rewriter meets them. */
function tokenColumns(table: Table, prefix: string): string[] {
  const encrypted = new Set(encryptedColumnsOf(table.name, prefix));
  return copyColumns(table).filter((c) => encrypted.has(c));
}

/**
 * Fetches the tokens of every table with encrypted columns, in the dump's snapshot and on its
 * connection, and starts precomputing them. The writer calls it after the dump's first
 * bytes, so a download's first byte never waits for it.
 */
export async function precomputeTokens(
  client: pg.Client,
  catalog: SchemaCatalog,
  prefix: string,
  pruned: ReadonlySet<string>,
  reencryptor: Reencryptor,
  runs: RunPool,
): Promise<TokenPrecompute> {
  const precompute = new TokenPrecompute(reencryptor);
  let budget = PRECOMPUTE_BUDGET_BYTES;
  for (const table of catalog.tables) {
    const columns = tokenColumns(table, prefix);
    if (pruned.has(table.name) || columns.length === 0 || budget <= 0) continue;
    const tokens = await fetchTokens(client, catalog.schema, table, columns, budget, runs);
    budget -= tokens.bytes;
    precompute.add(table.name, tokens);
  }
  precompute.start();
  return precompute;
}

/**
 * The COPY text of a table's tokens, as its own COPY will send them, up to `budget` bytes:
 * read as COPY (no row objects, no strings) into one buffer that only grows as far as it
 * is written.
 */
async function fetchTokens(client: pg.Client, schema: string, table: Table, columns: string[], budget: number, runs: RunPool): Promise<TableTokens> {
  // Rows enough to fill the budget with tokens of 100 characters or more.
  const limit = Math.max(1, Math.floor(budget / 100 / columns.length));
  const query = `COPY (SELECT ${columns.map(quoteIdent).join(', ')} FROM ${qualified(schema, table.name)} LIMIT ${limit}) TO STDOUT`;
  const source = client.query(new CopyOutStream(query, runs) as unknown as pg.Submittable) as unknown as CopyOutStream;
  const parser = new TokenFieldParser(columns.length, budget);
  for await (const chunk of source as AsyncIterable<Buffer>) {
    parser.push(chunk);
    runs.release(chunk);
  }
  const { old, ends } = parser.result();
  return new TableTokens(old, ends);
}

