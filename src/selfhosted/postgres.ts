/**
 * In-place migration on PostgreSQL: schema "<id>" of the legacy main database becomes
 * `public`'s Fief data, in one transaction, so a failure at any point leaves the database as
 * it was. The legacy main tables stay (the official recipe deletes them only after checking).
 */
import type pg from 'pg';
import { describeTarget, toExporterError, withClient, type ClientConfig } from '../db/connection.js';
import { preflightWarnings } from '../legacy/upgrade-checks.js';
import { readSchemaCatalog } from '../legacy/schema-catalog.js';
import { ExporterError } from '../errors.js';
import { getWorkspace, listWorkspaces, type WorkspaceRecord } from '../legacy/workspaces.js';
import { dropSchemaStatement, moveStatements, objectsLeftIn, readMovePlan, schemaOid, TARGET_SCHEMA } from './pg-plan.js';
import { moveReport, type MigrationReport } from './report.js';

export interface PgMigrateOptions {
  /** The legacy main database (the one holding `workspaces`). */
  mainDatabase: ClientConfig;
  workspaceId: string;
  dryRun?: boolean;
  /** Pre-flight warnings become PREFLIGHT_FAILED. */
  strict?: boolean;
}

// A Fief still running holds locks on its tables: fail after a while instead of queueing
// every one of its queries behind our ACCESS EXCLUSIVE locks.
const LOCK_TIMEOUT = "SET LOCAL lock_timeout = '10s';";
// Self-conflicting mode: two migrations of the same database run one after the other, so the
// second sees the first one's tables in `public` and refuses cleanly.
const LOCK_WORKSPACES = 'LOCK TABLE public.workspaces IN SHARE ROW EXCLUSIVE MODE;';

async function assertLegacyMain(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ ok: boolean }>("SELECT to_regclass('public.workspaces') IS NOT NULL AS ok");
  if (!rows[0]?.ok) {
    throw new ExporterError('WORKSPACE_NOT_FOUND', 'this database has no public.workspaces table: --database-url must point at the legacy (≤ 0.27) main database');
  }
}

async function hostedWorkspace(client: pg.ClientBase, id: string): Promise<WorkspaceRecord> {
  const workspace = await getWorkspace(client, id);
  if (!workspace) throw new ExporterError('WORKSPACE_NOT_FOUND', `workspace ${id} does not exist in this database`);
  if (workspace.databaseType !== null) {
    throw new ExporterError(
      'WORKSPACE_UNSUPPORTED',
      `workspace ${id} keeps its data in its own ${workspace.databaseType} database (bring your own database), not in this one; ` +
        'migrate-in-place only moves workspaces hosted by the instance: use fief-exporter export for a PostgreSQL one',
    );
  }
  return workspace;
}

async function locateSchema(client: pg.ClientBase, id: string): Promise<{ nsp: number; target: number }> {
  const target = await schemaOid(client, TARGET_SCHEMA);
  if (target === null) throw new ExporterError('MIGRATE_FAILED', `this database has no "${TARGET_SCHEMA}" schema to move the workspace into`);
  const nsp = await schemaOid(client, id);
  if (nsp === null) {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM pg_catalog.pg_class WHERE relnamespace = $1 AND relname LIKE 'fief\\_%' AND relkind IN ('r', 'p')",
      [target],
    );
    const hint = (rows[0]?.n ?? 0) > 0 ? ` (public already holds fief_ tables: was it migrated already?)` : '';
    throw new ExporterError('WORKSPACE_NOT_FOUND', `the workspace schema "${id}" does not exist in this database${hint}`);
  }
  return { nsp, target };
}

/** readSchemaCatalog refuses objects a Fief workspace never has; say what to do about them here. */
async function checkedPreflight(client: pg.Client, workspace: WorkspaceRecord, strict: boolean): Promise<string[]> {
  let catalog;
  try {
    catalog = await readSchemaCatalog(client, workspace.id);
  } catch (err) {
    if (err instanceof ExporterError && err.code === 'WORKSPACE_UNSUPPORTED') {
      throw new ExporterError('WORKSPACE_UNSUPPORTED', `${err.message}; move or drop them first, then run migrate-in-place again`);
    }
    throw err;
  }
  const warnings = await preflightWarnings(client, catalog, workspace.tablePrefix);
  if (strict && warnings.length > 0) {
    throw new ExporterError('PREFLIGHT_FAILED', `pre-flight checks failed (--strict), nothing was changed: ${warnings.join('; ')}`);
  }
  return warnings;
}

async function migrate(client: pg.Client, opts: PgMigrateOptions): Promise<MigrationReport> {
  const dryRun = opts.dryRun ?? false;
  // A dry run takes no lock at all: it must be harmless on a live instance.
  await client.query(dryRun ? 'BEGIN READ ONLY' : 'BEGIN');
  try {
    const id = opts.workspaceId.toLowerCase();
    await assertLegacyMain(client);
    if (!dryRun) {
      await client.query(LOCK_TIMEOUT);
      await client.query(LOCK_WORKSPACES);
    }
    const workspace = await hostedWorkspace(client, id);
    const { nsp, target } = await locateSchema(client, id);
    const plan = await readMovePlan(client, id, nsp, target);
    if (plan.tables.length === 0) throw new ExporterError('WORKSPACE_NOT_FOUND', `the workspace schema "${id}" holds no tables`);
    if (plan.clashes.length > 0) {
      throw new ExporterError(
        'MIGRATE_TARGET_NOT_EMPTY',
        `schema public already holds Fief data (${plan.clashes.slice(0, 5).join(', ')}${plan.clashes.length > 5 ? ', …' : ''}); ` +
          'only one workspace can live in a database, nothing was changed',
      );
    }
    const warnings = await checkedPreflight(client, workspace, opts.strict ?? false);
    const others = (await listWorkspaces(client)).filter((w) => w.id !== id && w.databaseType === null).map((w) => `${w.name} (${w.id})`);
    const moves = moveStatements(plan);

    let leftovers = plan.leftovers;
    if (!dryRun) {
      for (const sql of moves) await client.query(sql);
      // Asked again after the moves: the catalog, not our prediction, decides whether it is empty.
      leftovers = await objectsLeftIn(client, nsp);
      if (leftovers.length === 0) await client.query(dropSchemaStatement(id));
    }
    await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
    const drop = leftovers.length === 0 ? [dropSchemaStatement(id)] : [];
    return moveReport({
      engine: 'postgresql', workspaceId: id, workspaceName: workspace.name, dryRun, warnings, leftovers, otherWorkspaces: others,
      statements: ['BEGIN;', LOCK_TIMEOUT, LOCK_WORKSPACES, ...moves, ...drop, 'COMMIT;'],
      movedTables: plan.tables.map((t) => t.name),
      movedTypes: plan.types.map((t) => t.name),
    });
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

function translate(err: unknown, config: ClientConfig): ExporterError {
  if (err instanceof ExporterError) return err;
  const code = (err as { code?: unknown }).code;
  if (code === '55P03') {
    return new ExporterError(
      'MIGRATE_FAILED',
      `a workspace table at ${describeTarget(config)} is in use (lock timeout): stop the old Fief instance first; nothing was changed`,
      { cause: err },
    );
  }
  if (code === '42P07' || code === '42710') {
    const message = err instanceof Error ? err.message : String(err);
    return new ExporterError('MIGRATE_TARGET_NOT_EMPTY', `schema public already has an object the move needs (${message}); nothing was changed`, { cause: err });
  }
  return toExporterError(err, config);
}

export async function migratePostgres(opts: PgMigrateOptions): Promise<MigrationReport> {
  return withClient(opts.mainDatabase, async (client) => {
    try {
      return await migrate(client, opts);
    } catch (err) {
      throw translate(err, opts.mainDatabase);
    }
  });
}
