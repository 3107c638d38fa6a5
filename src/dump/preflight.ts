/**
 * Checks run inside the dump's snapshot before the first byte, besides what Fief ≥ 0.28 expects
 * (src/legacy/upgrade-checks.ts): whether every encrypted value decrypts with the key we were
 * given (a wrong key must fail before a download starts, not midway) and whether pruning is safe.
 */
import type pg from 'pg';
import { ExporterError } from '../errors.js';
import { decryptFailure, type Reencryptor } from './reencrypt.js';
import { encryptedColumnsOf } from '../legacy/fief-schema.js';
import type { SchemaCatalog } from '../legacy/schema-catalog.js';
import { quoteIdent, quoteQualified as qualified } from '../db/connection.js';
import { FernetTokenError } from '../crypto/fernet.js';

/** Rows per table whose tokens are decrypted before the first byte. */
const SAMPLE_ROWS = 20;

/**
 * Decrypts a sample of every encrypted column before the first byte: a wrong ENCRYPTION_KEY
 * (the usual mistake) then fails before a download starts. Every other token is decrypted
 * while it streams, and a bad one still stops the export with its table, column and row id.
 */
export async function checkEncryptedValues(client: pg.Client, catalog: SchemaCatalog, prefix: string, reencryptor: Reencryptor): Promise<void> {
  for (const table of catalog.tables) {
    const columns = encryptedColumnsOf(table, prefix);
    if (columns.length === 0) continue;
    const { rows } = await client.query<Record<string, string | null>>(
      `SELECT id::text AS id, ${columns.map(quoteIdent).join(', ')} FROM ${qualified(catalog.schema, table.name)} LIMIT ${SAMPLE_ROWS}`,
    );
    for (const row of rows) {
      for (const column of columns) {
        const token = row[column];
        if (token === null || token === undefined) continue;
        try {
          reencryptor.check(token);
        } catch (err) {
          if (err instanceof FernetTokenError) throw decryptFailure(table.name, column, row.id ?? '?');
          throw err;
        }
      }
    }
  }
}

/** Pruning must not orphan kept rows: refuse if a kept table references a pruned one. */
export function assertPrunable(catalog: SchemaCatalog, pruned: Set<string>): void {
  for (const t of catalog.tables) {
    if (pruned.has(t.name)) continue;
    for (const c of t.constraints) {
      const ref = /REFERENCES\s+("?)([^"(\s]+)\1\s*\(/.exec(c.definition)?.[2];
      if (c.kind === 'f' && ref !== undefined && pruned.has(ref)) {
        throw new ExporterError('PREFLIGHT_FAILED', `cannot prune ${ref}: ${t.name} references it (${c.name})`);
      }
    }
  }
}
