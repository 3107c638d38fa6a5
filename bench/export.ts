/**
 * `npm run bench -- export [--users N] [--audit-logs N] [--keep]`: seeds a workspace of at least
 * 500 MB of table data (and one a tenth of its size), then measures in the same run
 * `pg_dump -n '"<id>"'` (plain, to a file) and `fief-exporter export` (to a file).
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey } from '../src/crypto/fernet.js';
import { seedLegacyInstance } from '../src/dev/seed/index.js';
import { ADMIN_URL as ADMIN, sql, urlFor } from './bench-db.js';
import { arg, machineLine, measure, type Measurement } from './measure.js';

// Run as a person runs it: the file itself, so its #! line (and the node flags there) applies.
const CLI = 'dist/src/cli/main.js';
export async function main(args: string[]): Promise<void> {
  const users = Number(arg(args, '--users', '200000'));
  const auditLogs = Number(arg(args, '--audit-logs', '2000000'));
  const db = 'fe_bench_export';
  const url = urlFor(db);
  const out = join(process.cwd(), 'bench', 'out');
  mkdirSync(out, { recursive: true });
  const key = process.env.BENCH_ENCRYPTION_KEY ?? generateKey();
  if (!existsSync('dist/src/cli/main.js')) throw new Error('run `npm run build` first: the benchmark measures the built CLI');

  await sql(ADMIN, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  await sql(ADMIN, `CREATE DATABASE ${db}`);
  process.stderr.write(`seeding ${users} users + ${auditLogs} audit logs (and a tenth of that)…\n`);
  const instance = await seedLegacyInstance({
    databaseUrl: url,
    encryptionKey: key,
    workspaces: [
      { name: 'Big', variant: 'v0.27', users, auditLogs },
      { name: 'Tenth', variant: 'v0.27', users: Math.round(users / 10), auditLogs: Math.round(auditLogs / 10) },
    ],
  });
  const rows: string[] = [];
  for (const ws of instance.workspaces) {
    const [size] = await sql(url, `SELECT sum(pg_table_size(c.oid))::bigint AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r'`, [ws.schema]);
    const tableMb = Number((size as { b: string }).b) / 2 ** 20;
    const pgDumpFile = join(out, `pg_dump_${ws.name}.sql`);
    const oursFile = join(out, `fief_dump_${ws.name}.sql`);
    // Alternate the tools so neither always runs on a warmer cache.
    const pgDump: Measurement = await measure('pg_dump', ['-d', url, '-n', `"${ws.schema}"`, '-f', pgDumpFile]);
    const ours: Measurement = await measure(CLI, [
      'export', '--database-url', url, '--workspace', ws.id, '-o', oursFile, '--force',
    ], { ...process.env, ENCRYPTION_KEY: key });
    const pgDump2 = await measure('pg_dump', ['-d', url, '-n', `"${ws.schema}"`, '-f', pgDumpFile]);
    const ours2 = await measure(CLI, [
      'export', '--database-url', url, '--workspace', ws.id, '-o', oursFile, '--force',
    ], { ...process.env, ENCRYPTION_KEY: key });
    const best = (a: Measurement, b: Measurement): Measurement => (a.seconds <= b.seconds ? a : b);
    const p = best(pgDump, pgDump2);
    const o = best(ours, ours2);
    rows.push(
      `| ${ws.name} | ${tableMb.toFixed(0)} MB | ${(statSync(pgDumpFile).size / 2 ** 20).toFixed(0)} MB | ${p.seconds.toFixed(2)} s | ${Math.max(pgDump.peakRssMb, pgDump2.peakRssMb).toFixed(0)} MB | ` +
        `${(statSync(oursFile).size / 2 ** 20).toFixed(0)} MB | ${o.seconds.toFixed(2)} s | ${Math.max(ours.peakRssMb, ours2.peakRssMb).toFixed(0)} MB | ${(o.seconds / p.seconds).toFixed(2)} |`,
    );
  }
  process.stdout.write(
    `\n${machineLine()}\n\n| workspace | table data | pg_dump file | pg_dump time | pg_dump peak RSS | our file | our time | our peak RSS | time ratio (ours / pg_dump) |\n` +
      `|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n\n(best of two alternating runs each; peak RSS is the max of the two)\n`,
  );
  if (!args.includes('--keep')) await sql(ADMIN, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
  else process.stderr.write(`kept database ${db}; its ENCRYPTION_KEY is the BENCH_ENCRYPTION_KEY you passed, or was generated for this run only\n`);
}
