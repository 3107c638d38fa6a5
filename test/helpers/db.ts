/**
 * Fresh databases per test file: `const db = await useTestDatabase()` inside a describe
 * (or at top level) creates one in beforeAll and drops it in afterAll.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, inject } from 'vitest';
import pg from 'pg';

export function adminUrl(): string {
  return inject('pgAdminUrl');
}

export function urlFor(database: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${database}`;
  return u.toString();
}

/** Runs `fn` on a fresh client of `url`, ended afterwards. */
export async function withPg<T>(url: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

const admin = <T>(fn: (c: pg.Client) => Promise<T>): Promise<T> => withPg(adminUrl(), fn);

export async function createDatabase(prefix = 'fe_test'): Promise<{ name: string; url: string; drop: () => Promise<void> }> {
  const name = `${prefix}_${inject('pgRunTag')}_${randomBytes(6).toString('hex')}`;
  await admin((c) => c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`));
  return {
    name,
    url: urlFor(name),
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`))),
  };
}

/** Creates a database now and registers its drop after the file's tests. */
export async function useTestDatabase(prefix?: string): Promise<{ name: string; url: string }> {
  const db = await createDatabase(prefix);
  afterAll(() => db.drop());
  return db;
}

export async function query<R extends pg.QueryResultRow = pg.QueryResultRow>(url: string, sql: string, params: unknown[] = []): Promise<R[]> {
  return withPg(url, async (client) => (await client.query<R>(sql, params)).rows);
}
