/** PostgreSQL sessions an export may leave behind: what the abort tests count in pg_stat_activity. */
import { query } from '../../helpers/db.js';
import type { WebFixture } from './fixture.js';

/** Backends on the fixture database other than this query's own and the page-view pool's. */
export async function exporterBackends(fixture: WebFixture): Promise<number> {
  const rows = await query<{ n: string }>(
    fixture.databaseUrl,
    `SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM 'fief-exporter-web'`,
    [fixture.databaseName],
  );
  return Number(rows[0]?.n);
}

/** The count once it reaches 0, or after 10 s (the server notices closed sockets asynchronously). */
export async function settledExporterBackends(fixture: WebFixture): Promise<number> {
  const deadline = Date.now() + 10_000;
  let backends = await exporterBackends(fixture);
  while (backends > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    backends = await exporterBackends(fixture);
  }
  return backends;
}
