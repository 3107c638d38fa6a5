/**
 * `npm run bench -- export [--users N] [--audit-logs N] [--runs N (5)] [--keep] [--reuse]`: seeds a
 * workspace of at least 500 MB of table data (and one a tenth of its size), then measures in
 * the same run `pg_dump -n '"<id>"'` (plain, to a file) and `fief-exporter export` (to a file,
 * re-encrypting the OAuth tokens, as by default), in pairs run in a random order, each run
 * after a `sync`.
 *
 * Every run writes a new file, as a first export does. Overwriting one is not measured: on
 * ext4 (auto_da_alloc), replacing a file's contents makes the kernel start writing the new
 * data back at close or rename, which costs either tool 0.2–0.3 s on a 780 MB dump.
 * --reuse keeps the database of an earlier `--keep` run (same BENCH_ENCRYPTION_KEY) instead
 * of seeding again.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { seedLegacyInstance } from '../src/dev/seed/index.js';
import { ADMIN_URL as ADMIN, sql, urlFor } from './bench-db.js';
import { exportBenchSetup, machineLine, measure, median, type Measurement } from './measure.js';

// Run as a person runs it: the file itself, so its #! line (and the node flags there) applies.
const CLI = 'dist/src/cli/main.js';
const DB = 'fe_bench_export';

interface Workspace {
  id: string;
  name: string;
  schema: string;
}

async function seed(url: string, key: string, users: number, auditLogs: number, reuse: boolean): Promise<Workspace[]> {
  if (reuse) {
    const rows = (await sql(url, `SELECT id::text AS id, name FROM workspaces WHERE name IN ('Big', 'Tenth') ORDER BY name`)) as { id: string; name: string }[];
    if (rows.length === 2) return rows.map((r) => ({ ...r, schema: r.id }));
    throw new Error(`--reuse: ${DB} has no Big and Tenth workspaces; run once without --reuse (with --keep)`);
  }
  await sql(ADMIN, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await sql(ADMIN, `CREATE DATABASE ${DB}`);
  process.stderr.write(`seeding ${users} users + ${auditLogs} audit logs (and a tenth of that)…\n`);
  const instance = await seedLegacyInstance({
    databaseUrl: url,
    encryptionKey: key,
    workspaces: [
      { name: 'Big', variant: 'v0.27', users, auditLogs },
      { name: 'Tenth', variant: 'v0.27', users: Math.round(users / 10), auditLogs: Math.round(auditLogs / 10) },
    ],
  });
  return instance.workspaces;
}

/**
 * Lets the kernel write back the previous run's output (three quarters of a gigabyte of dirty
 * pages) before the next run starts, so that no run pays for its predecessor's writeback.
 */
function quiesce(): void {
  execFileSync('sync');
}

const secs = (v: number): string => `${v.toFixed(2)} s`;

export async function main(args: string[]): Promise<void> {
  const { users, auditLogs, runs, out, key } = exportBenchSetup(args, CLI);
  const url = urlFor(DB);

  const workspaces = await seed(url, key, users, auditLogs, args.includes('--reuse'));
  const rows: string[] = [];
  for (const ws of workspaces) {
    const [size] = await sql(url, `SELECT sum(pg_table_size(c.oid))::bigint AS b FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind = 'r'`, [ws.schema]);
    const tableMb = Number((size as { b: string }).b) / 2 ** 20;
    const pgDumpFile = join(out, `pg_dump_${ws.name}.sql`);
    const oursFile = join(out, `fief_dump_${ws.name}.sql`);
    const pgDump: Measurement[] = [];
    const ours: Measurement[] = [];
    const runPgDump = async (): Promise<void> => {
      rmSync(pgDumpFile, { force: true });
      quiesce();
      pgDump.push(await measure('pg_dump', ['-d', url, '-n', `"${ws.schema}"`, '-f', pgDumpFile]));
    };
    const runOurs = async (): Promise<void> => {
      rmSync(oursFile, { force: true });
      quiesce();
      ours.push(await measure(CLI, ['export', '--database-url', url, '--workspace', ws.id, '-o', oursFile], { ...process.env, ENCRYPTION_KEY: key }));
    };
    for (let i = 0; i < runs; i++) {
      // Pairs, each in a random order, so neither tool always runs on a warmer cache or right
      // after the other; new files every time.
      if (Math.random() < 0.5) {
        await runPgDump();
        await runOurs();
      } else {
        await runOurs();
        await runPgDump();
      }
    }
    const t = (m: Measurement[]): number[] => m.map((x) => x.seconds);
    const rss = (m: Measurement[]): number => Math.max(...m.map((x) => x.peakRssMb));
    const best = (m: Measurement[]): number => Math.min(...t(m));
    // Each pair ran back to back, so it shares the machine's state of the moment: on a shared
    // VM whose speed drifts by tens of percent, the median of pair ratios is the steadiest figure.
    const pairs = t(pgDump).map((p, i) => (t(ours)[i] ?? 0) / p);
    rows.push(
      `| ${ws.name} | ${tableMb.toFixed(0)} MB | ${(statSync(pgDumpFile).size / 2 ** 20).toFixed(0)} MB | ` +
        `${secs(best(pgDump))} / ${secs(median(t(pgDump)))} | ${rss(pgDump).toFixed(0)} MB | ` +
        `${(statSync(oursFile).size / 2 ** 20).toFixed(0)} MB | ${secs(best(ours))} / ${secs(median(t(ours)))} | ${rss(ours).toFixed(0)} MB | ` +
        `${(best(ours) / best(pgDump)).toFixed(2)} / ${(median(t(ours)) / median(t(pgDump))).toFixed(2)} | ` +
        `${median(pairs).toFixed(2)} | ${pairs.map((r) => r.toFixed(2)).join(', ')} |`,
    );
  }
  process.stdout.write(
    `\n${machineLine()}\n\n| workspace | table data | pg_dump file | pg_dump time (best / median) | pg_dump peak RSS | our file | our time (best / median) | our peak RSS | ratio ours / pg_dump (best / median) | median of pair ratios | ratio per pair |\n` +
      `|---|---|---|---|---|---|---|---|---|---|---|\n${rows.join('\n')}\n\n(${runs} pairs, each in a random order, every run after a sync and into a new file; peak RSS is the max over the runs)\n`,
  );
  if (!args.includes('--keep')) await sql(ADMIN, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  else process.stderr.write(`kept database ${DB}; its ENCRYPTION_KEY is the BENCH_ENCRYPTION_KEY you passed, or was generated for this run only\n`);
}
