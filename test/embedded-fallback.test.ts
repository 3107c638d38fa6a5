import { describe, expect, it } from 'vitest';
import pg from 'pg';
import { startEmbeddedPostgres } from './helpers/pg-server.js';

// Proves that `npm test` works on a machine with no PostgreSQL server: the harness falls back
// to real PostgreSQL binaries from npm (run the whole suite that way with FIEF_TEST_FORCE_EMBEDDED=1).
describe('embedded PostgreSQL fallback', () => {
  it('starts a real server, answers queries, and stops cleanly', async () => {
    const server = await startEmbeddedPostgres();
    try {
      const client = new pg.Client({ connectionString: server.adminUrl });
      await client.connect();
      const { rows } = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
      await client.end();
      expect(Number(rows[0]?.v)).toBeGreaterThanOrEqual(150000);
    } finally {
      await server.stop();
    }
  }, 120_000);
});
