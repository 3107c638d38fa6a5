/**
 * `migrate-in-place` on PostgreSQL against a real legacy instance (the fixture builder): one
 * workspace moves into `public` with its tables AND its enum types, exactly as it was.
 */
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { generateKey } from '../src/crypto/fernet.js';
import { seedLegacyInstance, WORKSPACE_TABLE_NAMES, type SeededWorkspace, type WorkspaceSpec } from '../src/dev/seed/index.js';
import { isExporterError } from '../src/errors.js';
import { migratePostgres } from '../src/selfhosted/postgres.js';
import { FIEF_ENUM_TYPES } from '../src/selfhosted/pg-plan.js';
import { rowDigests, snapshotSchema, tableNames, type SchemaSnapshot } from './helpers/catalog-snapshot.js';
import { createDatabase, withPg as withPgOn } from './helpers/db.js';
import { useLegacyInstance } from './helpers/legacy.js';
import { cli, expectOneLineError } from './helpers/cli.js';

const legacy = await useLegacyInstance({ users: 20, auditLogs: 40 });
const mainDatabase = { connectionString: legacy.databaseUrl };

const withPg = <T>(fn: (c: pg.Client) => Promise<T>, url = legacy.databaseUrl): Promise<T> => withPgOn(url, fn);

/** Every relation, type and schema by namespace: what a migration would change. */
async function catalogState(url = legacy.databaseUrl): Promise<string[]> {
  return withPg(async (c) => {
    const { rows } = await c.query<{ x: string }>(
      `SELECT 'ns ' || nspname AS x FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%' AND nspname <> 'information_schema'
       UNION ALL
       SELECT 'rel ' || n.nspname || '.' || c.relname || ' ' || c.relkind::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       UNION ALL
       SELECT 'type ' || n.nspname || '.' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
       ORDER BY 1`,
    );
    return rows.map((r) => r.x);
  }, url);
}

async function digests(schema: string, tables: readonly string[]): Promise<Record<string, { count: number; digest: string }>> {
  return withPg(async (c) => {
    const out: Record<string, { count: number; digest: string }> = {};
    for (const t of tables) out[t] = await rowDigests(c, schema, t);
    return out;
  });
}

/** `public` restricted to what the workspace brought (the legacy main tables live there too). */
function fiefPart(s: SchemaSnapshot): SchemaSnapshot {
  return { ...s, enums: s.enums.filter((e) => FIEF_ENUM_TYPES.includes(e.name)), tables: s.tables.filter((t) => t.name.startsWith('fief_')) };
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  if (!isExporterError(err)) throw new Error(`expected an ExporterError, got ${String(err)}`);
  return { code: err.code, message: err.message };
}

describe('migrate-in-place on PostgreSQL', () => {
  const cloud = legacy.cloud;
  const chain = legacy.chain;
  let dryRunStatements: string[] = [];

  it('refuses bring-your-own-database workspaces clearly, without touching anything', async () => {
    const before = await catalogState();
    for (const w of [legacy.byodSchema, legacy.byodPublic]) {
      const r = await cli(['migrate-in-place', '--database-url', legacy.databaseUrl, '--workspace', w.id]);
      expect(r.code).toBe(1);
      expect(expectOneLineError(r)).toMatch(/keeps its data in its own POSTGRESQL database \(bring your own database\).*fief-exporter export/);
    }
    expect(await catalogState()).toEqual(before);
  });

  it('refuses an unknown workspace and a database that is not a legacy main database', async () => {
    const r = await cli(['migrate-in-place', '--database-url', legacy.databaseUrl, '--workspace', '00000000-0000-4000-8000-000000000000']);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/workspace 00000000-0000-4000-8000-000000000000 does not exist/);
    const other = legacy.databases[1]?.url ?? '';
    const r2 = await cli(['migrate-in-place', '--database-url', other, '--workspace', cloud.id]);
    expect(r2.code).toBe(1);
    expect(expectOneLineError(r2)).toMatch(/no public\.workspaces table/);
  });

  it('--dry-run prints the exact SQL and changes nothing', async () => {
    const before = await catalogState();
    const r = await cli(['migrate-in-place', '--database-url', legacy.databaseUrl, '--workspace', cloud.id, '--dry-run']);
    expect(r.code).toBe(0);
    expect(await catalogState()).toEqual(before);
    const sql = r.stdout.split('\n').filter((l) => l !== '' && !l.startsWith('--'));
    const q = `"${cloud.id}"`;
    expect(sql[0]).toBe('BEGIN;');
    expect(sql.at(-1)).toBe('COMMIT;');
    expect(sql.filter((l) => l.startsWith(`ALTER TABLE ${q}.`))).toHaveLength(28);
    for (const t of FIEF_ENUM_TYPES) expect(sql).toContain(`ALTER TYPE ${q}."${t}" SET SCHEMA public;`);
    expect(sql).toContain(`DROP SCHEMA ${q} RESTRICT;`);
    dryRunStatements = sql;
  });

  it('--strict makes pre-flight warnings fatal (a role named "Administrator"), changing nothing', async () => {
    const before = await catalogState();
    const r = await cli(['migrate-in-place', '--database-url', legacy.databaseUrl, '--workspace', chain.id, '--strict']);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/pre-flight checks failed \(--strict\), nothing was changed: .*"Administrator"/);
    expect(await catalogState()).toEqual(before);
  });

  it('moves every table and enum type into public, drops the schema, and keeps rows and schema exactly', async () => {
    const snapshotBefore = await withPg((c) => snapshotSchema(c, cloud.id));
    const rowsBefore = await digests(cloud.id, WORKSPACE_TABLE_NAMES);
    const chainBefore = await withPg((c) => snapshotSchema(c, chain.id));
    const mainRowsBefore = await digests('public', ['workspaces', 'workspace_users', 'admin_api_key', 'admin_session_tokens', 'alembic_version']);

    const report = await migratePostgres({ mainDatabase, workspaceId: cloud.id });
    expect(report.statements).toEqual(dryRunStatements);
    expect(report.containerDropped).toBe(true);
    expect(report.otherWorkspaces).toEqual([`${chain.name} (${chain.id})`]);

    await withPg(async (c) => {
      const fiefTables = (await tableNames(c, 'public')).filter((n) => n.startsWith('fief_'));
      expect(fiefTables).toEqual([...WORKSPACE_TABLE_NAMES].sort());
      const types = await c.query<{ name: string; schema: string }>(
        `SELECT t.typname AS name, n.nspname AS schema FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
          WHERE t.typname = ANY($1) ORDER BY 2, 1`,
        [FIEF_ENUM_TYPES],
      );
      // public has them now; the other workspace keeps its own; none is left in the dropped schema.
      expect(types.rows.filter((t) => t.schema === 'public').map((t) => t.name)).toEqual(FIEF_ENUM_TYPES);
      expect(types.rows.filter((t) => t.schema !== 'public').every((t) => t.schema === chain.id)).toBe(true);
      const ns = await c.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [cloud.id]);
      expect(ns.rowCount).toBe(0);
      expect(fiefPart(await snapshotSchema(c, 'public'))).toEqual(snapshotBefore);
      expect(await snapshotSchema(c, chain.id)).toEqual(chainBefore);
    });
    expect(await digests('public', WORKSPACE_TABLE_NAMES)).toEqual(rowsBefore);
    expect(await digests('public', Object.keys(mainRowsBefore))).toEqual(mainRowsBefore);
  });

  it('then refuses to move a second workspace into the same public, changing nothing', async () => {
    const before = await catalogState();
    const chainBefore = await withPg((c) => snapshotSchema(c, chain.id));
    const err = await rejection(migratePostgres({ mainDatabase, workspaceId: chain.id }));
    expect(err.code).toBe('MIGRATE_TARGET_NOT_EMPTY');
    expect(err.message).toMatch(/^schema public already holds Fief data \(table fief_alembic_version, .*nothing was changed$/);
    expect(await catalogState()).toEqual(before);
    expect(await withPg((c) => snapshotSchema(c, chain.id))).toEqual(chainBefore);
    // Running the first one again says it is gone (already migrated), not a driver error.
    const again = await rejection(migratePostgres({ mainDatabase, workspaceId: cloud.id }));
    expect(again.message).toMatch(/schema ".*" does not exist in this database \(public already holds fief_ tables: was it migrated already\?\)/);
  });
});

describe('migrate-in-place on PostgreSQL, unusual workspace schemas', () => {
  const dbs: { drop: () => Promise<void> }[] = [];
  afterAll(async () => {
    for (const db of dbs) await db.drop();
  });

  /** A database of its own holding a legacy instance with these two workspaces. */
  async function twoWorkspaces(second: WorkspaceSpec = {}) {
    const db = await createDatabase('fe_selfhosted');
    dbs.push(db);
    const spec = { users: 5, auditLogs: 5 };
    const seeded = await seedLegacyInstance({ databaseUrl: db.url, encryptionKey: generateKey(), workspaces: [spec, { ...spec, ...second }] });
    return { db, workspaces: seeded.workspaces as [SeededWorkspace, SeededWorkspace], main: { connectionString: db.url } };
  }

  it('refuses objects a workspace never has, and keeps a schema that is not empty after the move', async () => {
    const { db, workspaces, main } = await twoWorkspaces();
    const [withView, withCollation] = workspaces;
    await withPg(async (c) => {
      await c.query(`CREATE VIEW ${pg.escapeIdentifier(withView.id)}.active AS SELECT id FROM ${pg.escapeIdentifier(withView.id)}.fief_users`);
      // readSchemaCatalog does not look at collations: this one survives the move of the tables.
      await c.query(`CREATE COLLATION ${pg.escapeIdentifier(withCollation.id)}.keepme FROM "C"`);
    }, db.url);

    const before = await catalogState(db.url);
    const refused = await rejection(migratePostgres({ mainDatabase: main, workspaceId: withView.id }));
    expect(refused.code).toBe('WORKSPACE_UNSUPPORTED');
    expect(refused.message).toMatch(/view active.*move or drop them first/);
    expect(await catalogState(db.url)).toEqual(before);

    const dry = await migratePostgres({ mainDatabase: main, workspaceId: withCollation.id, dryRun: true });
    const expected = [`collation "${withCollation.id}".keepme`];
    expect(dry.leftovers).toEqual(expected);
    expect(dry.statements.some((s) => s.startsWith('DROP SCHEMA'))).toBe(false);
    const real = await migratePostgres({ mainDatabase: main, workspaceId: withCollation.id });
    expect(real.leftovers).toEqual(expected);
    expect(real.containerDropped).toBe(false);
    expect(real.statements).toEqual(dry.statements);
    await withPg(async (c) => {
      expect(await tableNames(c, withCollation.id)).toEqual([]);
      expect((await tableNames(c, 'public')).filter((n) => n.startsWith('fief_'))).toHaveLength(28);
    }, db.url);
  });

  it('runs two concurrent migrations into the same database one after the other: the second is refused cleanly', async () => {
    const { db, workspaces, main } = await twoWorkspaces({ variant: 'v0.26-chain' });
    const results = await Promise.allSettled(workspaces.map((w) => migratePostgres({ mainDatabase: main, workspaceId: w.id })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected');
    expect(isExporterError(failed?.reason) ? failed.reason.code : failed?.reason).toBe('MIGRATE_TARGET_NOT_EMPTY');
    // The lock made it wait and then see the first one's tables (not trip over them mid-move).
    expect(String(failed?.reason)).toMatch(/schema public already holds Fief data \(table fief_alembic_version/);
    const loser = workspaces[results.findIndex((r) => r.status === 'rejected')];
    await withPg(async (c) => expect(await tableNames(c, loser?.id ?? '')).toHaveLength(28), db.url);
  });
});
