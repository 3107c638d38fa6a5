/**
 * MySQL/MariaDB plumbing for the in-place migration: a validated mysql:// URL, one connection
 * ended in `finally`, backtick quoting, and driver errors turned into one sentence that names
 * the server but never the password.
 */
import mysql from 'mysql2/promise';
import { ExporterError } from '../errors.js';

export interface MysqlTarget {
  host: string;
  port: number;
  user: string;
  password: string | undefined;
  /** The legacy main database, from the URL path. */
  database: string;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ExporterError('INVALID_DATABASE_URL', 'the MySQL URL has a malformed %-escape (in its user, password or database)');
  }
}

export function parseMysqlUrl(url: string): MysqlTarget {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new ExporterError('INVALID_DATABASE_URL', 'the MySQL URL is not a valid URL (expected mysql://user:password@host:port/maindb)');
  }
  if (u.protocol !== 'mysql:' && u.protocol !== 'mariadb:') {
    throw new ExporterError('INVALID_DATABASE_URL', `the MySQL URL must start with mysql:// (got ${u.protocol}//)`);
  }
  const database = decode(u.pathname.replace(/^\//, ''));
  if (database === '' || database.includes('/')) {
    throw new ExporterError('INVALID_DATABASE_URL', 'the MySQL URL must name the legacy main database (mysql://user:password@host:port/maindb)');
  }
  const port = u.port === '' ? 3306 : Number(u.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new ExporterError('INVALID_DATABASE_URL', 'the MySQL URL has an invalid port');
  // Like the mysql client, MYSQL_PWD keeps the password off the command line (and out of `ps`).
  const password = u.password !== '' ? decode(u.password) : process.env.MYSQL_PWD;
  return { host: u.hostname || 'localhost', port, user: decode(u.username) || 'root', password, database };
}

export function describeMysql(t: MysqlTarget): string {
  return `${t.host}:${t.port}/${t.database}`;
}

/** MySQL identifier quoting: backticks, with embedded backticks doubled. */
export function quoteMysqlIdent(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

export function toMysqlError(err: unknown, t: MysqlTarget): ExporterError {
  if (err instanceof ExporterError) return err;
  const e = err as { code?: unknown; sqlMessage?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const where = describeMysql(t);
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH'].includes(code)) {
    return new ExporterError('DATABASE_UNREACHABLE', `cannot reach MySQL at ${where} (${code})`, { cause: err });
  }
  if (code === 'ER_ACCESS_DENIED_ERROR' || code === 'ER_DBACCESS_DENIED_ERROR') {
    return new ExporterError('DATABASE_UNREACHABLE', `MySQL at ${where} refused the credentials`, { cause: err });
  }
  if (code === 'ER_BAD_DB_ERROR') return new ExporterError('DATABASE_UNREACHABLE', `database at ${where} does not exist`, { cause: err });
  if (code === 'ER_LOCK_WAIT_TIMEOUT') {
    return new ExporterError('MIGRATE_FAILED', `a workspace table at ${where} is in use (lock timeout): stop the old Fief instance first; nothing was moved`, { cause: err });
  }
  if (code === 'ER_TABLE_EXISTS_ERROR') {
    return new ExporterError('MIGRATE_TARGET_NOT_EMPTY', `the main database at ${where} already has a table the move needs; nothing was moved`, { cause: err });
  }
  const detail = typeof e.sqlMessage === 'string' ? e.sqlMessage : typeof e.message === 'string' ? e.message : String(err);
  return new ExporterError('DATABASE_ERROR', `MySQL error at ${where}: ${detail}`, { cause: err });
}

export async function withMysql<T>(t: MysqlTarget, fn: (conn: mysql.Connection) => Promise<T>): Promise<T> {
  let conn: mysql.Connection;
  try {
    conn = await mysql.createConnection({
      host: t.host, port: t.port, user: t.user, password: t.password, database: t.database,
      connectTimeout: 10_000, multipleStatements: false, dateStrings: true,
    });
  } catch (err) {
    throw toMysqlError(err, t);
  }
  // A connection whose server goes away emits 'error'; unhandled, that would kill the process.
  conn.on('error', () => undefined);
  try {
    return await fn(conn);
  } catch (err) {
    throw toMysqlError(err, t);
  } finally {
    await conn.end().catch(() => conn.destroy());
  }
}
