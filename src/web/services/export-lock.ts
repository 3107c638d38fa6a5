/**
 * "One export at a time per person" across every machine that serves the exporter: a
 * session-level PostgreSQL advisory lock, keyed by the person's `sub`, taken on the export's
 * own main-database connection. PostgreSQL releases it when that connection ends, however the
 * export ends (done, aborted, stalled, process killed), so there is nothing to clean up, and
 * nothing is ever written to the legacy database. ExportSlots still answers the same question
 * on one machine without a round trip; this lock is what makes it hold across machines.
 */
import { createHash } from 'node:crypto';
import type pg from 'pg';
import { ExporterError } from '../../errors.js';

/** A 64-bit key from the sub, namespaced so it cannot meet another application's advisory locks by accident. */
export function exportLockKey(sub: string): string {
  return createHash('sha256').update(`fief-exporter:export:${sub}`).digest().readBigInt64BE(0).toString();
}

/** Takes the person's export lock on `client`, or throws EXPORT_BUSY when another connection holds it. */
export async function takeExportLock(client: pg.ClientBase, sub: string): Promise<void> {
  const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1::bigint) AS locked', [exportLockKey(sub)]);
  if (rows[0]?.locked !== true) throw new ExporterError('EXPORT_BUSY', 'an export for this person is already running');
}
