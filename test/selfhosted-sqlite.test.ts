/** `migrate-in-place --sqlite-dir`: the workspace file becomes fief.db, the old main file a backup. */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isExporterError } from '../src/errors.js';
import { migrateSqlite } from '../src/selfhosted/sqlite.js';
import { tempDir } from './helpers/dump.js';
import { cli, expectOneLineError } from './helpers/cli.js';

const root = tempDir('fief-exporter-sqlite-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const HEADER = Buffer.from('SQLite format 3\0', 'latin1');
const sqliteBytes = (tag: string): Buffer => Buffer.concat([HEADER, Buffer.alloc(84), Buffer.from(tag)]);

/** A DATABASE_LOCATION with a main file and one workspace file (fake SQLite: the header is what is checked). */
function location(opts: { workspaceBytes?: Buffer } = {}): { dir: string; id: string } {
  const dir = join(root, randomUUID());
  mkdirSync(dir);
  const id = randomUUID();
  writeFileSync(join(dir, 'fief.db'), sqliteBytes('main'));
  writeFileSync(join(dir, id), opts.workspaceBytes ?? sqliteBytes(`workspace ${id}`));
  return { dir, id };
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!isExporterError(err)) throw new Error(`expected an ExporterError, got ${String(err)}`);
  return { code: err.code, message: err.message };
}

describe('migrate-in-place on SQLite', () => {
  it('moves the workspace file over fief.db and keeps the old main file as a timestamped backup', async () => {
    const { dir, id } = location();
    const other = randomUUID();
    writeFileSync(join(dir, other), sqliteBytes('other'));
    const r = await cli(['migrate-in-place', '--sqlite-dir', dir, '--workspace', id]);
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'fief.db'), 'utf8')).toContain(`workspace ${id}`);
    expect(existsSync(join(dir, id))).toBe(false);
    const backups = readdirSync(dir).filter((n) => n.startsWith('fief.db.bak-'));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^fief\.db\.bak-\d{8}T\d{6}Z$/);
    expect(readFileSync(join(dir, backups[0] ?? ''), 'utf8')).toContain('main');
    expect(r.stdout).toContain(`the legacy main file is kept as ${join(dir, backups[0] ?? '')}`);
    expect(r.stdout).toContain(`Other workspaces are still here (${other})`);
  });

  it('honours --main-file, and --dry-run prints the two moves without making them', async () => {
    const { dir, id } = location();
    writeFileSync(join(dir, 'auth.db'), sqliteBytes('custom main'));
    const r = await cli(['migrate-in-place', '--sqlite-dir', dir, '--workspace', id, '--main-file', 'auth.db', '--dry-run']);
    expect(r.code).toBe(0);
    const moves = r.stdout.split('\n').filter((l) => l.startsWith('mv '));
    expect(moves).toHaveLength(2);
    expect(moves[0]).toMatch(new RegExp(`^mv -n -- '${dir}/auth\\.db' '${dir}/auth\\.db\\.bak-\\d{8}T\\d{6}Z'$`));
    expect(moves[1]).toBe(`mv -n -- '${dir}/${id}' '${dir}/auth.db'`);
    expect(readdirSync(dir).sort()).toEqual([id, 'auth.db', 'fief.db'].sort());
  });

  it('never overwrites an existing backup', async () => {
    const { dir, id } = location();
    const now = new Date('2025-01-02T03:04:05.678Z');
    writeFileSync(join(dir, 'fief.db.bak-20250102T030405Z'), 'an older backup');
    const err = await rejection(migrateSqlite({ dir, workspaceId: id, now }));
    expect(err.code).toBe('MIGRATE_FAILED');
    expect(err.message).toMatch(/the backup .*fief\.db\.bak-20250102T030405Z already exists; nothing was moved/);
    expect(readFileSync(join(dir, 'fief.db.bak-20250102T030405Z'), 'utf8')).toBe('an older backup');
    expect(readFileSync(join(dir, 'fief.db'), 'utf8')).toContain('main');
    expect(existsSync(join(dir, id))).toBe(true);
  });

  it('refuses a workspace file that is not an SQLite database, or is missing', async () => {
    const { dir, id } = location({ workspaceBytes: Buffer.from('SQLite format 2\0 but not really') });
    const r = await cli(['migrate-in-place', '--sqlite-dir', dir, '--workspace', id]);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(/is not an SQLite database \(its header is not "SQLite format 3"\)/);
    expect(readdirSync(dir).sort()).toEqual([id, 'fief.db'].sort());
    const missing = await cli(['migrate-in-place', '--sqlite-dir', dir, '--workspace', randomUUID()]);
    expect(missing.code).toBe(1);
    expect(expectOneLineError(missing)).toMatch(/does not exist \(Fief names a workspace's file after its id, with no extension\)/);
  });

  it('refuses while a journal or WAL sits next to either file (it holds part of the database)', async () => {
    for (const side of ['-wal', '-journal']) {
      const { dir, id } = location();
      writeFileSync(join(dir, `fief.db${side}`), 'pending');
      const err = await rejection(migrateSqlite({ dir, workspaceId: id }));
      expect(err.message).toMatch(new RegExp(`fief\\.db${side} exists .*stop Fief`));
      expect(readdirSync(dir).sort()).toEqual([id, 'fief.db', `fief.db${side}`].sort());
    }
  });

  it('refuses a directory without the main file', async () => {
    const { dir, id } = location();
    rmSync(join(dir, 'fief.db'));
    const err = await rejection(migrateSqlite({ dir, workspaceId: id }));
    expect(err.message).toMatch(/fief\.db does not exist: --sqlite-dir must be Fief's DATABASE_LOCATION/);
    expect(existsSync(join(dir, id))).toBe(true);
  });
});
