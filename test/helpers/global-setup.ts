import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { findPgServer, type PgServer } from './pg-server.js';

let server: PgServer | undefined;
// Every database a run creates carries this tag (test/helpers/db.ts), so the run can drop what
// a failed or interrupted test file left behind, and nothing else.
const runTag = `r${randomBytes(3).toString('hex')}`;

export async function setup(project: TestProject): Promise<void> {
  server = await findPgServer();
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgKind', server.kind);
  project.provide('pgRunTag', runTag);
}

async function dropLeftovers(adminUrl: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ name: string }>(`SELECT datname AS name FROM pg_database WHERE datname LIKE $1`, [`%\\_${runTag}\\_%`]);
    for (const { name } of rows) await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function teardown(): Promise<void> {
  if (server) await dropLeftovers(server.adminUrl).catch(() => undefined);
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgKind: 'env' | 'local' | 'embedded';
    pgRunTag: string;
  }
}
