/** Creating the target database of `dev seed` when it does not exist yet. */
import { connect, parseDatabaseUrl, quoteIdent } from '../../db/connection.js';
import { ExporterError } from '../../errors.js';

/** True when the failure is PostgreSQL's "database does not exist" (kept as the error's cause). */
function isMissingDatabase(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  return cause?.code === '3D000';
}

/** Makes sure the database named by `url` exists; returns true if it had to create it. */
export async function ensureDatabase(url: string): Promise<boolean> {
  const config = parseDatabaseUrl(url);
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  if (name === '') throw new ExporterError('INVALID_DATABASE_URL', 'the database URL names no database (expected postgres://user@host:port/database)');
  try {
    const client = await connect(config);
    await client.end().catch(() => undefined);
    return false;
  } catch (err) {
    if (!isMissingDatabase(err)) throw err;
  }
  // Create it from the server's maintenance database, with the same credentials.
  const maintenance = new URL(url);
  maintenance.pathname = '/postgres';
  const admin = await connect(parseDatabaseUrl(maintenance.toString()));
  try {
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
  } catch (err) {
    const e = err as { code?: string; message?: string };
    // Another process may have created it in between: that is fine.
    if (e.code !== '42P04') throw new ExporterError('DATABASE_ERROR', `cannot create database ${name}: ${e.message ?? String(err)}`, { cause: err });
  } finally {
    await admin.end().catch(() => undefined);
  }
  return true;
}
