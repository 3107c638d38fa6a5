/**
 * The real PostgreSQL client programs, run against the test server: the reference
 * behaviour the importer is compared with (`psql -1 -v ON_ERROR_STOP=1 -f`), pg_dump to make
 * genuine dumps, pgbench to fill a database.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ENV = { ...process.env, PGOPTIONS: '', PSQLRC: '/dev/null' };

export async function pgDump(url: string, file: string, ...args: string[]): Promise<void> {
  await run('pg_dump', ['--no-sync', ...args, '-f', file, '-d', url], { env: ENV });
}

export async function pgbenchInit(url: string, scale: number): Promise<void> {
  await run('pgbench', ['-i', '-q', '-s', String(scale), url], { env: ENV });
}

/** psql's result: exit code and stderr (errors), like a person running it would see. */
export async function psqlFile(url: string, file: string, single = true): Promise<{ code: number; stderr: string }> {
  const args = ['-X', '-q', ...(single ? ['-1'] : []), '-v', 'ON_ERROR_STOP=1', '-f', file, '-d', url];
  try {
    const { stderr } = await run('psql', args, { env: ENV, maxBuffer: 64 << 20 });
    return { code: 0, stderr };
  } catch (err) {
    const e = err as { code?: number; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stderr: e.stderr ?? '' };
  }
}

export async function psqlCommand(url: string, sql: string): Promise<void> {
  await run('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-c', sql, '-d', url], { env: ENV });
}
