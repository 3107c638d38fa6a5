/**
 * `npm run bench -- import [--dump FILE] [--scale N] [--repeat N] [--jobs N] [--keep]`: measures,
 * in the same run, `psql -1 -v ON_ERROR_STOP=1 -f FILE` and the built `fief-exporter import FILE`
 * (after `npm run build`; `--jobs` passed on), each into a fresh database, in `--repeat` pairs,
 * each pair in a random order (median wall time, median of the pair ratios and their spread,
 * largest peak RSS). It also times the CLI on a one-statement script, to show what process
 * start-up alone costs. A dump of ours (bench/out/fief_dump_Big.sql, written by
 * `npm run bench -- export --runs 1`) takes the parallel load; a pg_dump file the replay.
 * Without --dump it makes a plain dump of at least 500 MB: `pgbench -i -s N` into a scratch
 * database, then `pg_dump` to bench/out/pgbench-sN.sql.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { admin, urlFor } from './bench-db.js';
import { arg, machineLine, measure, median, type Measurement } from './measure.js';

// Run as a person runs it: the file itself, so its #! line (and the node flags there) applies.
const CLI = 'dist/src/cli/main.js';

const run = promisify(execFile);
const MIN_BYTES = 500e6;

async function freshDatabase(name: string): Promise<string> {
  await admin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  return urlFor(name);
}

async function makeDump(scale: number, file: string): Promise<void> {
  const url = await freshDatabase('fe_bench_import_src');
  process.stderr.write(`generating: pgbench -i -s ${scale}, then pg_dump to ${file} ...\n`);
  await run('pgbench', ['-i', '-q', '-s', String(scale), url], { maxBuffer: 1 << 24 });
  await run('pg_dump', ['--no-sync', '-f', file, '-d', url]);
  await admin('DROP DATABASE fe_bench_import_src WITH (FORCE)');
}

export async function main(args: string[]): Promise<void> {
  const scale = Number(arg(args, '--scale', '55'));
  const out = join(process.cwd(), 'bench', 'out');
  mkdirSync(out, { recursive: true });
  const given = arg(args, '--dump', '');
  const file = given ? resolve(given) : join(out, `pgbench-s${scale}.sql`);
  if (!given && !existsSync(file)) await makeDump(scale, file);
  const bytes = statSync(file).size;
  if (!given && bytes < MIN_BYTES) process.stderr.write(`warning: the dump is only ${(bytes / 1e6).toFixed(0)} MB; raise --scale\n`);

  process.stderr.write('building the CLI (npm run build) ...\n');
  await run('npm', ['run', 'build'], { maxBuffer: 1 << 24 }).catch((err: unknown) => {
    // tsc emits even with type errors elsewhere in the tree; the measured CLI must exist.
    if (!existsSync('dist/src/cli/main.js')) throw err;
    process.stderr.write('warning: npm run build reported errors; measuring the emitted dist/ anyway\n');
  });

  const env = { ...process.env, PSQLRC: '/dev/null' };
  const repeat = Math.max(1, Number(arg(args, '--repeat', '1')));
  const psqlRuns: Measurement[] = [];
  const ourRuns: Measurement[] = [];
  const jobs = arg(args, '--jobs', '');
  const runPsql = async (): Promise<void> => {
    psqlRuns.push(await into('fe_bench_import_psql', 'psql -1', (url) => measure('psql', ['-X', '-q', '-1', '-v', 'ON_ERROR_STOP=1', '-f', file, '-d', url], env)));
  };
  const runOurs = async (): Promise<void> => {
    const extra = jobs ? ['--jobs', jobs] : [];
    ourRuns.push(await into('fe_bench_import_ours', 'fief-exporter import', (url) => measure(CLI, ['import', file, '--database-url', url, ...extra], env)));
  };
  for (let k = 0; k < repeat; k++) {
    // Each pair in a random order: on a shared machine whose speed drifts, a pair shares its moment.
    if (Math.random() < 0.5) await runPsql().then(runOurs);
    else await runOurs().then(runPsql);
  }
  const pairs = ourRuns.map((o, k) => o.seconds / (psqlRuns[k]?.seconds ?? NaN));
  const tiny = join(out, 'one-statement.sql');
  writeFileSync(tiny, 'SELECT 1;\n');
  const startup = await into('fe_bench_import_ours', 'start-up', (url) => measure(CLI, ['import', tiny, '--database-url', url], env));
  rmSync(tiny, { force: true });

  if (!given && !args.includes('--keep')) rmSync(file, { force: true });
  print(file, bytes, summarise(psqlRuns), summarise(ourRuns), startup, repeat);
  process.stdout.write(`median of pair ratios: **${median(pairs).toFixed(2)}**; per pair: ${pairs.map((r) => r.toFixed(2)).join(', ')}${jobs ? ` (--jobs ${jobs})` : ''}\n`);
}

/** Runs `fn` against a fresh database after a checkpoint, so one run's writes do not slow the next. */
async function into(db: string, what: string, fn: (url: string) => Promise<Measurement>): Promise<Measurement> {
  const url = await freshDatabase(db);
  await admin('CHECKPOINT');
  process.stderr.write(`measuring ${what} ...\n`);
  try {
    return await fn(url);
  } finally {
    await admin(`DROP DATABASE ${pg.escapeIdentifier(db)} WITH (FORCE)`);
  }
}

function summarise(runs: Measurement[]): Measurement {
  return { seconds: median(runs.map((r) => r.seconds)), peakRssMb: Math.max(...runs.map((r) => r.peakRssMb)), cpuSeconds: median(runs.map((r) => r.cpuSeconds)) };
}

function print(file: string, bytes: number, psql: Measurement, ours: Measurement, startup: Measurement, repeat: number): void {
  const ratio = ours.seconds / psql.seconds;
  const row = (name: string, m: Measurement): string =>
    `| ${name} | ${m.seconds.toFixed(1)} | ${(bytes / 1e6 / m.seconds).toFixed(0)} | ${m.peakRssMb.toFixed(0)} |`;
  process.stdout.write(
    [
      `### import: ${(bytes / 1e6).toFixed(0)} MB plain dump (${file.split('/').pop() ?? file})${repeat > 1 ? `, median of ${repeat} runs each` : ''}`,
      '',
      machineLine(),
      '',
      '| tool | wall (s) | MB/s | peak RSS (MB) |',
      '|---|---:|---:|---:|',
      row('`psql -1 -v ON_ERROR_STOP=1 -f`', psql),
      row('`fief-exporter import`', ours),
      '',
      `ratio fief-exporter / psql: **${ratio.toFixed(2)}** (target ≤ 1.0); peak RSS **${ours.peakRssMb.toFixed(0)} MB** (target ≤ 100 MB)`,
      '',
      `CLI start-up alone (a one-statement script): ${startup.seconds.toFixed(2)} s, ${startup.peakRssMb.toFixed(0)} MB — included in the figures above.`,
      '',
    ].join('\n'),
  );
}
