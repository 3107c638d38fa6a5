/**
 * The demo's legacy Fief Cloud: a main database with a few workspaces of realistic data, built
 * with the fixture builder on the first start only. demo.json records a finished seed; without
 * that record (first start, or a start interrupted while seeding) the database is rebuilt.
 */
import pg from '../db/pg.js';
import { parseDatabaseUrl, withClient } from '../db/connection.js';
import { seedLegacyInstance, type WorkspaceSpec } from '../dev/seed/index.js';
import type { DemoSeedRecord, DemoState } from './demo-state.js';

export const DEMO_DATABASE = 'fief_cloud_demo';

/** Three workspaces of different sizes; accounts[0] is a member of all of them. */
const DEMO_WORKSPACES: WorkspaceSpec[] = [
  { name: 'Acme Production', domain: 'acme.fief.dev', users: 150, members: [0, 1] },
  { name: 'Acme Staging', domain: 'acme-staging.fief.dev', users: 30, members: [0] },
  { name: 'Side Project', domain: 'side-project.fief.dev', users: 12, members: [0, 2] },
];

async function databaseIsSeeded(adminUrl: string, database: string): Promise<boolean> {
  return withClient(parseDatabaseUrl(adminUrl), async (client) => {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    return found.rowCount === 1;
  });
}

async function recreateDatabase(adminUrl: string, database: string): Promise<void> {
  await withClient(parseDatabaseUrl(adminUrl), async (client) => {
    await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(database)} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  });
}

/**
 * Returns the seed record, seeding first when there is none (or its database has gone).
 * `urlFor(db)` builds a URL to a database of the embedded cluster.
 */
export async function ensureDemoSeed(
  state: DemoState,
  urlFor: (database: string) => string,
  progress: (line: string) => void,
): Promise<{ record: DemoSeedRecord; seededNow: boolean }> {
  if (state.seed && (await databaseIsSeeded(urlFor('postgres'), state.seed.database))) {
    return { record: state.seed, seededNow: false };
  }
  progress('Seeding the demo Fief Cloud (first start only)...');
  await recreateDatabase(urlFor('postgres'), DEMO_DATABASE);
  const seeded = await seedLegacyInstance({
    databaseUrl: urlFor(DEMO_DATABASE),
    encryptionKey: state.encryptionKey,
    workspaces: DEMO_WORKSPACES,
    accounts: 3,
  });
  const record: DemoSeedRecord = {
    database: DEMO_DATABASE,
    accounts: seeded.accounts,
    workspaces: seeded.workspaces.map((w) => ({ id: w.id, name: w.name, users: w.rowCounts.fief_users ?? 0 })),
    seededAt: new Date().toISOString(),
  };
  return { record, seededNow: true };
}
