/**
 * One place that turns a database URL into a connected `pg.Client` and guarantees it is
 * closed (graphile/migrate's withClient): callers cannot forget `end()`.
 */
import pg from './pg.js';
import { ExporterError } from '../errors.js';

export type ClientConfig = pg.ClientConfig;

/** Validates a postgres:// URL up front, so a typo is one clear sentence instead of a driver trace. */
export function parseDatabaseUrl(url: string, what = 'database URL'): ClientConfig {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ExporterError('INVALID_DATABASE_URL', `the ${what} is not a valid URL (expected postgres://user@host:port/database)`);
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    throw new ExporterError('INVALID_DATABASE_URL', `the ${what} must start with postgres:// or postgresql:// (got ${parsed.protocol}//)`);
  }
  if (parsed.port !== '' && !/^\d+$/.test(parsed.port)) {
    throw new ExporterError('INVALID_DATABASE_URL', `the ${what} has an invalid port`);
  }
  return { connectionString: url };
}

/** Describes where a config points without its password, for messages and logs. */
export function describeTarget(config: ClientConfig): string {
  if (config.connectionString) {
    try {
      const u = new URL(config.connectionString);
      return `${u.hostname || 'localhost'}:${u.port || '5432'}${u.pathname}`;
    } catch {
      return 'the database';
    }
  }
  return `${config.host ?? 'localhost'}:${config.port ?? 5432}/${config.database ?? ''}`;
}

/**
 * Where a client really connects: pg fills what the config leaves out from the libpq variables
 * (PGHOST, PGPORT, PGDATABASE, PGUSER) at construction, so this is what was tried.
 */
export function clientTarget(client: pg.Client): string {
  return describeTarget({ host: client.host, port: client.port, database: client.database });
}

/** The server went away mid-query (connection exceptions, admin or crash shutdown, recovery): an outage, not the query's fault. */
export function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') return code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === 'ECONNRESET';
  return err instanceof Error && /Connection terminated/i.test(err.message);
}

export function toExporterError(err: unknown, config: ClientConfig): ExporterError {
  if (err instanceof ExporterError) return err;
  const e = err as { code?: string; message?: string; severity?: string };
  const where = describeTarget(config);
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' || e.code === 'ETIMEDOUT' || e.code === 'EHOSTUNREACH') {
    return new ExporterError('DATABASE_UNREACHABLE', `cannot reach PostgreSQL at ${where} (${e.code})`, { cause: err });
  }
  if (isConnectionLoss(err)) {
    const what = e.code === '57P03' ? `PostgreSQL at ${where} is not accepting connections` : `lost the connection to PostgreSQL at ${where}`;
    return new ExporterError('DATABASE_UNREACHABLE', `${what} (${e.message ?? String(err)})`, { cause: err });
  }
  if (e.code === '3D000') return new ExporterError('DATABASE_UNREACHABLE', `database at ${where} does not exist`, { cause: err });
  if (e.code === '28P01' || e.code === '28000') {
    return new ExporterError('DATABASE_UNREACHABLE', `PostgreSQL at ${where} refused the credentials`, { cause: err });
  }
  return new ExporterError('DATABASE_ERROR', `PostgreSQL error at ${where}: ${e.message ?? String(err)}`, { cause: err });
}

/** `beforeConnect` sees the client first, e.g. to hear the settings the server reports at startup. */
export async function connect(config: ClientConfig, beforeConnect?: (client: pg.Client) => void): Promise<pg.Client> {
  const client = new pg.Client({ connectionTimeoutMillis: 10_000, ...config });
  // An idle client whose server dies emits 'error'; without a listener that kills the process.
  client.on('error', () => undefined);
  beforeConnect?.(client);
  try {
    await client.connect();
  } catch (err) {
    await client.end().catch(() => undefined);
    throw toExporterError(err, { host: client.host, port: client.port, database: client.database });
  }
  return client;
}

export async function withClient<T>(config: ClientConfig, fn: (client: pg.Client) => Promise<T>, beforeConnect?: (client: pg.Client) => void): Promise<T> {
  const client = await connect(config, beforeConnect);
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function withTransaction<T>(client: pg.Client, fn: () => Promise<T>, begin = 'BEGIN'): Promise<T> {
  await client.query(begin);
  try {
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

export function quoteIdent(name: string): string {
  return pg.escapeIdentifier(name);
}

/** `"schema"."name"`. */
export function quoteQualified(schema: string, name: string): string {
  return `${quoteIdent(schema)}.${quoteIdent(name)}`;
}

export function quoteLiteral(value: string): string {
  return pg.escapeLiteral(value);
}
