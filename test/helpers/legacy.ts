/**
 * A small legacy Fief instance on fresh databases, for tests that need the real thing:
 *   const legacy = await useLegacyInstance();   // top level of a test file (like useTestDatabase)
 * It holds, with hostile data on:
 * - `cloud`:      v0.27 workspace in the main database, schema "<uuid>";
 * - `chain`:      v0.26-chain workspace in the main database, schema "<uuid>" (roleNamedAdministrator);
 * - `byodSchema`: BYOD PostgreSQL workspace (v0.27) in its own database, schema "<uuid>";
 * - `byodPublic`: BYOD PostgreSQL workspace (v0.26-chain) in its own database's `public`;
 * plus any `extraWorkspaces` (e.g. `{ byod: { mysql: true } }`). Default members: account 0
 * everywhere, account 1 in `cloud` only, account 2 nowhere.
 */
import { afterAll } from 'vitest';
import { generateKey } from '../../src/crypto/fernet.js';
import { seedLegacyInstance, type SeededInstance, type SeededWorkspace, type WorkspaceSpec } from '../../src/dev/seed/index.js';
import { createDatabase } from './db.js';

export interface LegacyFixtureOptions {
  users?: number;
  auditLogs?: number;
  seed?: number;
  hostile?: boolean;
  encryptionKey?: string;
  extraWorkspaces?: WorkspaceSpec[];
}

export interface LegacyFixture extends SeededInstance {
  cloud: SeededWorkspace;
  chain: SeededWorkspace;
  byodSchema: SeededWorkspace;
  byodPublic: SeededWorkspace;
  /** Databases created for this fixture (main first). */
  databases: { name: string; url: string }[];
  drop(): Promise<void>;
}

/** Creates the databases and seeds them; the caller must `drop()` (see useLegacyInstance). */
export async function createLegacyInstance(options: LegacyFixtureOptions = {}): Promise<LegacyFixture> {
  const dbs = [await createDatabase('fe_legacy'), await createDatabase('fe_byod'), await createDatabase('fe_byod')];
  const drop = async (): Promise<void> => {
    for (const db of dbs) await db.drop();
  };
  try {
    const [main, byodA, byodB] = dbs as [(typeof dbs)[0], (typeof dbs)[0], (typeof dbs)[0]];
    const common = { users: options.users ?? 40, auditLogs: options.auditLogs ?? 120, hostile: options.hostile ?? true };
    const instance = await seedLegacyInstance({
      databaseUrl: main.url,
      encryptionKey: options.encryptionKey ?? generateKey(),
      seed: options.seed ?? 1,
      workspaces: [
        { ...common, variant: 'v0.27' },
        { ...common, variant: 'v0.26-chain', roleNamedAdministrator: true },
        { ...common, variant: 'v0.27', byod: { databaseUrl: byodA.url, useSchema: true } },
        { ...common, variant: 'v0.26-chain', byod: { databaseUrl: byodB.url, useSchema: false } },
        ...(options.extraWorkspaces ?? []),
      ],
    });
    const [cloud, chain, byodSchema, byodPublic] = instance.workspaces as [SeededWorkspace, SeededWorkspace, SeededWorkspace, SeededWorkspace];
    return { ...instance, cloud, chain, byodSchema, byodPublic, databases: dbs.map((d) => ({ name: d.name, url: d.url })), drop };
  } catch (err) {
    await drop().catch(() => undefined);
    throw err;
  }
}

/** Seeds now (call at the top level of a test file) and drops the databases after the file's tests. */
export async function useLegacyInstance(options: LegacyFixtureOptions = {}): Promise<LegacyFixture> {
  const fixture = await createLegacyInstance(options);
  afterAll(() => fixture.drop());
  return fixture;
}
