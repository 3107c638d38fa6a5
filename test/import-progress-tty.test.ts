/**
 * `fief-exporter import` on a terminal (a real pseudo-terminal from util-linux `script`), through
 * a whole import of an exported workspace with its indexes and foreign keys: the progress says
 * what the import is doing at each phase, sizes read sensibly for a small file, and numbers are
 * written one way.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../src/crypto/fernet.js';
import { seedLegacyInstance } from '../src/dev/seed/index.js';
import { shellQuote } from '../src/import-recipe.js';
import { packageRoot } from '../src/paths.js';
import { cli } from './helpers/cli.js';
import { createDatabase } from './helpers/db.js';
import { tempDir } from './helpers/dump.js';

const KEY = generateKey();
const dir = tempDir();
const file = join(dir, 'fief_dump_Small Workspace.sql');
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const main = await createDatabase('fe_tty_src');
  cleanups.push(main.drop);
  const instance = await seedLegacyInstance({
    databaseUrl: main.url,
    encryptionKey: KEY,
    accounts: 1,
    workspaces: [{ name: 'Small Workspace', users: 400, auditLogs: 800, members: [0] }],
  });
  const r = await cli(['export', '--database-url', main.url, '--workspace', instance.workspaces[0]!.id, '-o', file], { ENCRYPTION_KEY: KEY });
  expect(r.code).toBe(0);
}, 120_000);

afterAll(async () => {
  for (const drop of cleanups) await drop();
});

/** Runs the CLI from source with stderr on a pseudo-terminal; returns everything the terminal received. */
function onTerminal(args: string[]): string {
  const command = ['node', '--import', 'tsx', 'src/cli/main.ts', ...args].map(shellQuote).join(' ');
  return execFileSync('script', ['-qefc', command, '/dev/null'], { cwd: packageRoot, encoding: 'utf8', env: { ...process.env, COLUMNS: '120' } });
}

describe('import progress on a terminal', () => {
  it('names each phase, shows sizes that make sense and one number format', { timeout: 120_000 }, async () => {
    const target = await createDatabase('fe_tty_dst');
    cleanups.push(target.drop);
    // The single-session replay names the phases; a parallel load shows its job sessions instead (below).
    const screen = onTerminal(['import', '--jobs', '1', '--database-url', target.url, file]);
    expect(screen).toMatch(/Imported 28 tables, \d,\d{3} rows/);
    expect(screen).toMatch(/loading fief_\w+/);
    for (const phase of ['creating tables', 'building indexes 1', 'checking constraints 1', 'verifying', 'committing']) {
      expect(screen).toContain(phase);
    }
    expect(screen).toMatch(/\d+(\.\d)? kB of \d+(\.\d)? kB/);
    expect(screen).not.toMatch(/\b0\/0 MB|\b0 MB/);
    expect(screen).not.toMatch(/(^|\D)1 rows/);
    // Counts of a thousand or more carry a separator everywhere.
    expect(screen).not.toMatch(/(^|[^\d,])\d{4,} rows/);
    // A rate only while rows move.
    for (const line of screen.split(/\r|\n/)) if (/building indexes|checking constraints|verifying|committing/.test(line)) expect(line).not.toMatch(/rows\/s/);
  });
});
