/**
 * The dump as an async generator of chunks, in replay order (see docs/architecture.md,
 * "Dump format"). It runs entirely inside the caller's REPEATABLE READ snapshot.
 */
import type pg from 'pg';
import { quoteIdent, quoteLiteral } from '../db/connection.js';
import { commentSafe } from './filename.js';
import { CHECKSUMS, COMPLETE_LINE_PREFIX, FORMAT_LINE, FORMAT_VERSION, KEY_LINE_PREFIX, VERIFY_LINE_PREFIX } from './format.js';
import { renderCreateTable, renderEnum, renderPostData } from './ddl.js';
import { dataSection } from './data-section.js';
import type { DumpPlan, DumpSummary } from './plan.js';

// Accepted by psql and by servers 12–18 (pg_dump 15's preamble, minus what 17+ added).
const SESSION_SETTINGS = `SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;
SET default_tablespace = '';
`;

export async function* writeDump(
  client: pg.Client,
  plan: DumpPlan,
  summary: DumpSummary,
  onProgress?: (p: { table: string; rows: number; bytes: number }) => void,
): AsyncGenerator<string | Buffer> {
  const { catalog, targetSchema: target } = plan;
  yield `${KEY_LINE_PREFIX}${plan.outputKey}\n${FORMAT_LINE}\n`;
  yield plan.header.map((line) => `-- ${commentSafe(line)}\n`).join('') + '\n';
  yield SESSION_SETTINGS + '\n';
  // Everything from here to COMMIT is one transaction: a truncated file persists nothing.
  yield 'BEGIN;\n\n';
  if (target !== 'public') yield `CREATE SCHEMA IF NOT EXISTS ${quoteIdent(target)};\n`;
  yield `SELECT pg_catalog.set_config('search_path', ${quoteLiteral(quoteIdent(target))}, true);\n\n`;

  for (const e of catalog.enums) yield renderEnum(target, e);
  for (const t of catalog.tables) yield renderCreateTable(target, t);

  yield* dataSection(client, plan, summary, onProgress);

  yield* renderPostData(target, catalog.tables);

  const field = CHECKSUMS[FORMAT_VERSION].field;
  for (const t of summary.tables) {
    yield `${VERIFY_LINE_PREFIX}${JSON.stringify({ table: t.table, rows: t.rows, [field]: t.checksum })}\n`;
    summary.rows += t.rows;
    summary.bytes += t.bytes;
  }
  yield `${COMPLETE_LINE_PREFIX}${JSON.stringify({ tables: summary.tables.length, rows: summary.rows })}\n`;
  yield 'COMMIT;\n';
}
