/**
 * Is a database loaded from a dump the same workspace as its source? Catalog (rendered by the
 * server, see catalog-snapshot.ts), every table's rows, and the encrypted columns compared as
 * plaintexts: the source's under the instance key, the copy's under the dump's own key.
 */
import pg from 'pg';
import { expect } from 'vitest';
import { Fernet } from '../../src/crypto/fernet.js';
import type { SeededWorkspace } from '../../src/dev/seed/index.js';
import { ENCRYPTED_COLUMNS } from '../../src/legacy/fief-schema.js';
import { rowDigests, snapshotSchema, tableNames } from './catalog-snapshot.js';
import { withPg } from './db.js';

/** Source rows vs imported rows, table by table; encrypted columns compared as plaintexts. */
export async function expectSameData(source: SeededWorkspace, sourceKey: string, targetUrl: string, exportKey: string): Promise<void> {
  await withPg(source.databaseUrl, (src) =>
    withPg(targetUrl, async (dst) => {
      const tables = await tableNames(src, source.schema);
      expect(await tableNames(dst, 'public')).toEqual(tables);
      for (const table of tables) {
        const encrypted = [...(ENCRYPTED_COLUMNS[table.replace(/^fief_/, '')] ?? [])];
        const a = await rowDigests(src, source.schema, table, encrypted);
        const b = await rowDigests(dst, 'public', table, encrypted);
        expect({ table, ...b }).toEqual({ table, ...a });
        if (encrypted.length === 0) continue;
        const cols = encrypted.map((c) => pg.escapeIdentifier(c)).join(', ');
        const read = async (c: pg.Client, schema: string, key: string): Promise<Record<string, (string | null)[]>> => {
          const f = new Fernet(key);
          const { rows } = await c.query<Record<string, string | null>>(
            `SELECT id::text AS id, ${cols} FROM ${pg.escapeIdentifier(schema)}.${pg.escapeIdentifier(table)}`,
          );
          return Object.fromEntries(rows.map((r) => [r.id ?? '', encrypted.map((col) => (r[col] == null ? null : f.decryptString(r[col] ?? '')))]));
        };
        expect(await read(dst, 'public', exportKey)).toEqual(await read(src, source.schema, sourceKey));
      }
    }),
  );
}

/** Same catalog (types, tables, constraints, indexes) in the copy's `public` as in the source schema. */
export async function expectSameCatalog(source: SeededWorkspace, targetUrl: string): Promise<void> {
  const [a, b] = await Promise.all([
    withPg(source.databaseUrl, (c) => snapshotSchema(c, source.schema)),
    withPg(targetUrl, (c) => snapshotSchema(c, 'public')),
  ]);
  expect(b).toEqual(a);
}
