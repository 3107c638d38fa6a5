/**
 * `export -o PATH` in a directory others can write to: the dump (line 1 is a key) is only
 * ever readable by its owner, never written through a symbolic link, never replaces a FIFO or
 * a device, and two exports to one path never touch each other's partial file.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, lstatSync, readFileSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../src/crypto/fernet.js';
import { cli, expectOneLineError } from './helpers/cli.js';
import { run, tempDir } from './helpers/dump.js';
import { useLegacyInstance } from './helpers/legacy-instance.js';

const KEY = generateKey();
const legacy = useLegacyInstance('fe_out', { encryptionKey: KEY, accounts: 1, workspaces: [{ name: 'Out', variant: 'v0.27', users: 3, auditLogs: 3, members: [0] }] });
const workspace = (): string => legacy.instance.workspaces[0]?.id ?? '';
const exportTo = (out: string, ...more: string[]) =>
  cli(['export', '--database-url', legacy.instance.databaseUrl, '--workspace', workspace(), '-o', out, ...more], { ENCRYPTION_KEY: KEY });

describe('export output files', () => {
  it('writes mode 0600 even under umask 000 and over a pre-made world-readable partial', async () => {
    const dir = tempDir();
    const out = join(dir, 'dump.sql');
    writeFileSync(out, 'old');
    writeFileSync(`${out}.partial`, 'someone else', { mode: 0o644 });
    const saved = process.umask(0);
    try {
      const r = await exportTo(out, '--force');
      expect(r.code, r.stderr).toBe(0);
    } finally {
      process.umask(saved);
    }
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(readFileSync(out, 'utf8')).toMatch(/^-- ENCRYPTION_KEY=/);
    expect(readFileSync(`${out}.partial`, 'utf8')).toBe('someone else');
    expect(readdirSync(dir).sort()).toEqual(['dump.sql', 'dump.sql.partial']);
  });

  it('never writes through a symbolic link: not the old partial name, not PATH itself', async () => {
    const dir = tempDir();
    const victim = join(dir, 'victim.txt');
    writeFileSync(victim, 'precious');
    const out = join(dir, 'dump.sql');
    symlinkSync(victim, `${out}.partial`);
    expect((await exportTo(out, '--force')).code).toBe(0);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    const linked = join(dir, 'link.sql');
    symlinkSync(victim, linked);
    const r = await exportTo(linked, '--force');
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/link\.sql is a symbolic link, not a regular file: export refuses to replace it/);
    expect(readFileSync(victim, 'utf8')).toBe('precious');
    expect(lstatSync(linked).isSymbolicLink()).toBe(true);
    expect(readdirSync(dir).filter((f) => f.includes('.partial.') || /\.[0-9a-f]{12}\.partial$/.test(f))).toEqual([]);
  });

  it('writes into a FIFO as a stream and leaves it a FIFO', async () => {
    const dir = tempDir();
    const fifo = join(dir, 'pipe.sql');
    execFileSync('mkfifo', [fifo]);
    const chunks: Buffer[] = [];
    const reader = new Promise<void>((resolve, reject) => {
      createReadStream(fifo).on('data', (d: string | Buffer) => void chunks.push(Buffer.from(d))).on('end', resolve).on('error', reject);
    });
    const r = await exportTo(fifo);
    await reader;
    expect(r.code, r.stderr).toBe(0);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(Buffer.concat(chunks).toString('utf8')).toMatch(/^-- ENCRYPTION_KEY=[\s\S]*COMMIT;\n$/);
    expect(readdirSync(dir)).toEqual(['pipe.sql']);
  });

  it('two exports to one path: each keeps its own partial; one wins, the other says the file exists', async () => {
    const dir = tempDir();
    const out = join(dir, 'same.sql');
    const exportProcess = () =>
      run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'export', '--database-url', legacy.instance.databaseUrl, '--workspace', workspace(), '-o', out], null, {
        env: { ...process.env, ENCRYPTION_KEY: KEY },
      });
    const results = await Promise.all([exportProcess(), exportProcess()]);
    const codes = results.map((r) => r.code).sort();
    expect(codes, results.map((r) => r.stderr).join('\n')).toEqual([0, 1]);
    const loser = results.find((r) => r.code === 1);
    expect(loser?.stderr).toMatch(/same\.sql already exists; pass --force/);
    expect(readFileSync(out, 'utf8')).toMatch(/^-- ENCRYPTION_KEY=[\s\S]*COMMIT;\n$/);
    expect(readdirSync(dir)).toEqual(['same.sql']);
    expect(existsSync(`${out}.partial`)).toBe(false);
  }, 120_000);
});
