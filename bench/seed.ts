/**
 * `npm run bench -- seed [--users N] [--audit-logs N] [--keep]`: seeds one v0.27 workspace
 * (default 100k users + 1M audit logs) into a fresh database and reports seconds and rows/s
 * (target: under 60 s on a 2-core machine), then drops the database unless --keep.
 * BENCH_DATABASE_URL points at the server's maintenance database (default local postgres).
 */
import pg from 'pg';
import { generateKey } from '../src/crypto/fernet.js';
import { seedLegacyInstance } from '../src/dev/seed/index.js';
import { admin, ADMIN_URL as ADMIN } from './bench-db.js';
import { arg, machineLine } from './measure.js';

export async function main(args: string[]): Promise<void> {
  const users = Number(arg(args, '--users', '100000'));
  const auditLogs = Number(arg(args, '--audit-logs', '1000000'));
  const db = 'fe_bench_seed';
  const url = new URL(ADMIN);
  url.pathname = `/${db}`;
  await admin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db)} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${pg.escapeIdentifier(db)}`);
  try {
    const started = process.hrtime.bigint();
    const instance = await seedLegacyInstance({
      databaseUrl: url.toString(),
      encryptionKey: generateKey(),
      workspaces: [{ variant: 'v0.27', users, auditLogs }],
      onProgress: (msg) => process.stderr.write(`${msg}\n`),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rows = Object.values(instance.workspaces[0]?.rowCounts ?? {}).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `seed: ${users} users + ${auditLogs} audit logs = ${rows} rows in 28 tables (COPY + keys/indexes/FKs)\n` +
        `      ${seconds.toFixed(1)} s, ${Math.round(rows / seconds)} rows/s  (target < 60 s)\n` +
        `      ${machineLine()}\n`,
    );
  } finally {
    if (!args.includes('--keep')) await admin(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(db)} WITH (FORCE)`);
  }
}
