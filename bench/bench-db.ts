/** The benchmarks' server: its maintenance database, and the scratch databases they create. */
import pg from 'pg';

export const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function sql(url: string, text: string, params: unknown[] = []): Promise<pg.QueryResultRow[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<pg.QueryResultRow>(text, params)).rows;
  } finally {
    await c.end();
  }
}

export async function admin(text: string): Promise<void> {
  await sql(ADMIN_URL, text);
}

export function urlFor(db: string): string {
  const u = new URL(ADMIN_URL);
  u.pathname = `/${db}`;
  return u.toString();
}
