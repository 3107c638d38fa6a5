/**
 * `npm run bench -- export-all [--users N] [--audit-logs N] [--runs N (5)] [--keep] [--reuse]`:
 * seeds a workspace of at least 500 MB of table data and two small ones, then measures in the
 * same run `fief-exporter export --all` (one zip) against the three single exports one after
 * the other (`export --workspace`, each to its own .sql file), in pairs run in a random order,
 * each run after a `sync`. Wall time of the zip against the sum of the three; peak RSS of each.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { seedLegacyInstance } from '../src/dev/seed/index.js';
import { ADMIN_URL as ADMIN, sql, urlFor } from './bench-db.js';
import { exportBenchSetup, machineLine, measure, median, type Measurement } from './measure.js';

const CLI = 'dist/src/cli/main.js';
const DB = 'fe_bench_export_all';

async function seed(url: string, key: string, users: number, auditLogs: number, reuse: boolean): Promise<{ id: string; name: string }[]> {
  if (!reuse) {
    await sql(ADMIN, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
    await sql(ADMIN, `CREATE DATABASE ${DB}`);
    process.stderr.write(`seeding ${users} users + ${auditLogs} audit logs, and two workspaces of a hundredth of that…\n`);
    const small = { variant: 'v0.27' as const, users: Math.round(users / 100), auditLogs: Math.round(auditLogs / 100) };
    await seedLegacyInstance({
      databaseUrl: url,
      encryptionKey: key,
      workspaces: [{ name: 'Big', variant: 'v0.27', users, auditLogs }, { name: 'Small one', ...small }, { name: 'Small two', ...small, variant: 'v0.26-chain' }],
    });
  }
  return (await sql(url, 'SELECT id::text AS id, name FROM workspaces ORDER BY name')) as { id: string; name: string }[];
}

export async function main(args: string[]): Promise<void> {
  const { users, auditLogs, runs, out, key } = exportBenchSetup(args, CLI);
  const url = urlFor(DB);
  const workspaces = await seed(url, key, users, auditLogs, args.includes('--reuse'));
  const env = { ...process.env, ENCRYPTION_KEY: key };
  const [size] = await sql(url, `SELECT sum(pg_table_size(c.oid))::bigint AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = ANY($1) AND c.relkind = 'r'`, [workspaces.map((w) => w.id)]);

  const zipFile = join(out, 'fief_workspaces.zip');
  const singleFile = (i: number): string => join(out, `fief_dump_single_${i}.sql`);
  const zips: Measurement[] = [];
  const singles: Measurement[] = [];
  const runZip = async (): Promise<void> => {
    rmSync(zipFile, { force: true });
    execFileSync('sync');
    zips.push(await measure(CLI, ['export', '--all', '--database-url', url, '-o', zipFile], env));
  };
  const runSingles = async (): Promise<void> => {
    workspaces.forEach((_, i) => rmSync(singleFile(i), { force: true }));
    execFileSync('sync');
    const each: Measurement[] = [];
    for (const [i, w] of workspaces.entries()) each.push(await measure(CLI, ['export', '--database-url', url, '--workspace', w.id, '-o', singleFile(i)], env));
    const sum = (f: (m: Measurement) => number): number => each.reduce((a, m) => a + f(m), 0);
    singles.push({ seconds: sum((m) => m.seconds), cpuSeconds: sum((m) => m.cpuSeconds), peakRssMb: Math.max(...each.map((m) => m.peakRssMb)) });
  };
  for (let i = 0; i < runs; i++) {
    const [first, second] = Math.random() < 0.5 ? [runZip, runSingles] : [runSingles, runZip];
    await first();
    await second();
  }
  const t = (m: Measurement[]): number[] => m.map((x) => x.seconds);
  const cpu = (m: Measurement[]): string => `${median(m.map((x) => x.cpuSeconds)).toFixed(2)} s`;
  const pairs = t(zips).map((z, i) => z / (t(singles)[i] ?? z));
  const sqlBytes = workspaces.reduce((a, _, i) => a + statSync(singleFile(i)).size, 0);
  const mb = (b: number): string => `${(b / 2 ** 20).toFixed(0)} MB`;
  process.stdout.write(
    `\n${machineLine()}\n\n` +
      `| table data | three .sql files | zip | singles: sum of wall (best / median) | singles peak RSS | zip wall (best / median) | zip peak RSS | median of pair ratios | ratio per pair | CPU user+sys, singles / zip (median) |\n` +
      `|---|---|---|---|---|---|---|---|---|---|\n` +
      `| ${mb(Number((size as { b: string }).b))} | ${mb(sqlBytes)} | ${mb(statSync(zipFile).size)} | ` +
      `${Math.min(...t(singles)).toFixed(2)} s / ${median(t(singles)).toFixed(2)} s | ${Math.max(...singles.map((m) => m.peakRssMb)).toFixed(0)} MB | ` +
      `${Math.min(...t(zips)).toFixed(2)} s / ${median(t(zips)).toFixed(2)} s | ${Math.max(...zips.map((m) => m.peakRssMb)).toFixed(0)} MB | ` +
      `**${median(pairs).toFixed(2)}** | ${pairs.map((r) => r.toFixed(2)).join(', ')} | ${cpu(singles)} / ${cpu(zips)} |\n\n` +
      `(${runs} pairs, each in a random order, every run after a sync and into new files; peak RSS is the max over the runs; ` +
      `load average ${loadavg().map((l) => l.toFixed(1)).join(' ')})\n`,
  );
  if (!args.includes('--keep')) await sql(ADMIN, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
}
