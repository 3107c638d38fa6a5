/**
 * The legacy instance the web tests run against: a fresh database seeded by the fixture
 * builder, with people who are members of some workspaces and not others, an outsider who is
 * a member of nothing, a workspace with a non-ASCII name and one large enough to abort mid-stream.
 */
import { generateKey } from '../../../src/crypto/fernet.js';
import { seedLegacyInstance, type SeededInstance } from '../../../src/dev/seed/index.js';
import { query, useTestDatabase } from '../../helpers/db.js';

export interface WebFixture extends SeededInstance {
  databaseName: string;
}

/** Accounts: 0 anne, 1 bob, 2 carol, 3 dave (member of nothing). */
export async function seedWebFixture({ largeUsers = 20 }: { largeUsers?: number } = {}): Promise<WebFixture> {
  const db = await useTestDatabase('fe_web');
  const instance = await seedLegacyInstance({
    databaseUrl: db.url,
    encryptionKey: generateKey(),
    accounts: 4,
    seed: 7,
    workspaces: [
      { name: 'Bretagne', users: 15, members: [0, 1] },
      { name: 'Normandie', users: 10, variant: 'v0.26-chain', members: [0] },
      { name: 'Île-de-France', users: 10, members: [1, 2] },
      { name: 'Grand Dump', users: largeUsers, members: [2] },
    ],
  });
  return { ...instance, databaseName: db.name };
}

/** Backends on the fixture database other than the caller's own query and the page-view pool. */
export async function exporterBackends(fixture: Pick<WebFixture, 'databaseUrl' | 'databaseName'>): Promise<number> {
  const rows = await query<{ n: string }>(
    fixture.databaseUrl,
    `SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM 'fief-exporter-web'`,
    [fixture.databaseName],
  );
  return Number(rows[0]?.n);
}

/** Polls until no exporter backend is left (the server notices a closed socket asynchronously). */
export async function settledBackends(fixture: Pick<WebFixture, 'databaseUrl' | 'databaseName'>, timeoutMs = 10_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let backends = await exporterBackends(fixture);
  while (backends > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    backends = await exporterBackends(fixture);
  }
  return backends;
}
