/**
 * `fief-exporter dev seed`: builds a legacy (≤ 0.27) Fief instance to try the exporter on.
 * Workspaces alternate between the two schema variants; sizes are per workspace.
 */
import type { Command } from 'commander';
import { generateKey, Fernet } from '../../crypto/fernet.js';
import { describeTarget, parseDatabaseUrl } from '../../db/connection.js';
import { ensureDatabase } from '../../dev/seed/database.js';
import { seedLegacyInstance, type WorkspaceSpec } from '../../dev/seed/index.js';
import { print, printErr, safe } from '../io.js';
import { countOf } from '../../format.js';
import { parsePositiveInt, requireOption } from '../options.js';

interface DevSeedFlags {
  databaseUrl?: string;
  encryptionKey?: string;
  workspaces?: string;
  users?: string;
  auditLogs?: string;
  seed?: string;
  hostile?: boolean;
}

export async function devSeedCommand(flags: DevSeedFlags): Promise<void> {
  // Check every input before touching the server, so mistakes cost nothing.
  const url = requireOption(flags.databaseUrl, '--database-url');
  const config = parseDatabaseUrl(url);
  // The same fallback as the other commands: seeding under one key and exporting under the
  // ENCRYPTION_KEY of the environment would fail on the first token.
  const given = flags.encryptionKey ?? (process.env.ENCRYPTION_KEY || undefined);
  const generated = given === undefined;
  const key = given ?? generateKey();
  new Fernet(key);
  const workspaces = parsePositiveInt(flags.workspaces ?? '2', '--workspaces');
  const users = parsePositiveInt(flags.users ?? '100', '--users');
  const auditLogs = flags.auditLogs === undefined ? users * 2 : parsePositiveInt(flags.auditLogs, '--audit-logs');
  const seed = parsePositiveInt(flags.seed ?? '1', '--seed');
  const hostile = flags.hostile === true;

  const started = Date.now();
  if (await ensureDatabase(url)) printErr(`created database ${describeTarget(config)}\n`);
  const specs: WorkspaceSpec[] = Array.from({ length: workspaces }, (_, i) => ({
    variant: i % 2 === 0 ? 'v0.27' : 'v0.26-chain', users, auditLogs, hostile,
  }));
  const instance = await seedLegacyInstance({
    databaseUrl: url, encryptionKey: key, workspaces: specs, seed, onProgress: (msg) => printErr(`${msg}\n`),
  });
  printErr(`seeded ${describeTarget(config)} in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);

  const out: string[] = [];
  if (generated) out.push(`ENCRYPTION_KEY=${key}`, '');
  out.push('Workspaces (data in schema "<id>" of this database):');
  for (const w of instance.workspaces) out.push(safe`  ${w.id}  ${w.name}  ${w.variant}  ${countOf(w.rowCounts.fief_users ?? 0, 'user')}`);
  out.push('Accounts (workspace_users.user_id = sub):');
  for (const a of instance.accounts) {
    const member = instance.workspaces.filter((w) => w.members.includes(a.sub)).map((w) => w.name);
    out.push(safe`  ${a.sub}  ${a.email}  member of: ${member.length > 0 ? member.join(', ') : 'none'}`);
  }
  print(`${out.join('\n')}\n`);
}

export function register(program: Command): void {
  const dev = program.command('dev').description('Developer tools: build legacy Fief fixtures');
  dev
    .command('seed')
    .description('Create a legacy (<= 0.27) Fief instance with workspaces and data (the database is created if missing)')
    .option('--database-url <url>', 'main database to seed (postgres://user@host:port/db)')
    .option('--encryption-key <key>', 'the instance ENCRYPTION_KEY (env ENCRYPTION_KEY; generated and printed when neither is set)')
    .option('--workspaces <n>', 'number of workspaces, alternating v0.27 / v0.26-chain schemas', '2')
    .option('--users <n>', 'users per workspace', '100')
    .option('--audit-logs <n>', 'audit log rows per workspace (default: twice the users)')
    .option('--seed <n>', 'PRNG seed (same seed, same data)', '1')
    .option('--hostile', 'put hostile values (escapes, quotes, a 3 MB template...) in the data')
    .action((flags: DevSeedFlags) => devSeedCommand(flags));
}
