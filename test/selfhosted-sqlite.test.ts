/**
 * `migrate-in-place --sqlite-dir`: the workspace file becomes fief.db, the old main file a
 * backup, once fief.db (read with sql.js) says the workspace is one it hosts. Real SQLite files,
 * written with sql.js by test/helpers/sqlite-legacy.ts.
 */
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isExporterError } from '../src/errors.js';
import { migrateSqlite } from '../src/selfhosted/sqlite.js';
import { tempDir } from './helpers/dump.js';
import { cli, expectOneLineError } from './helpers/cli.js';
import { describeSqliteFile, writeLegacyMain, writeWorkspaceFile, type SqliteWorkspace } from './helpers/sqlite-legacy.js';

const root = tempDir('fief-exporter-sqlite-');
afterAll(() => rmSync(root, { recursive: true, force: true }));

const LEGACY_MAIN = 'tables admin_session_tokens,alembic_version,workspace_users,workspaces';

/**
 * A DATABASE_LOCATION: fief.db lists `id` (hosted, named "Acme") plus `others`, and each of
 * them has its workspace file, whose tenant is named after the workspace.
 */
async function location(opts: { others?: SqliteWorkspace[]; listed?: boolean; databaseType?: string } = {}): Promise<{ dir: string; id: string }> {
  const dir = join(root, randomUUID());
  mkdirSync(dir);
  const id = randomUUID();
  const me: SqliteWorkspace = { id, name: 'Acme', ...(opts.databaseType === undefined ? {} : { databaseType: opts.databaseType }) };
  const workspaces = [...(opts.listed === false ? [] : [me]), ...(opts.others ?? [])];
  await writeLegacyMain(join(dir, 'fief.db'), workspaces);
  for (const w of [me, ...(opts.others ?? [])]) await writeWorkspaceFile(join(dir, w.id), w.name);
  return { dir, id };
}

async function rejection(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  const err = await p.then(() => null, (e: unknown) => e);
  if (!isExporterError(err)) throw new Error(`expected an ExporterError, got ${String(err)}`);
  return { code: err.code, message: err.message };
}

/** A refused run: exit 1, one sentence matching `message`, and the directory exactly as it was. */
async function expectRefused(dir: string, args: string[], message: RegExp): Promise<void> {
  const before = readdirSync(dir).sort();
  const r = await cli(['migrate-in-place', '--sqlite-dir', dir, ...args]);
  expect(r.code).toBe(1);
  expect(expectOneLineError(r)).toMatch(message);
  expect(r.stdout).toBe('');
  expect(readdirSync(dir).sort()).toEqual(before);
}

describe('migrate-in-place on SQLite', () => {
  it('moves the workspace file over fief.db and keeps the old main file as a timestamped backup', async () => {
    const other = { id: randomUUID(), name: 'Other' };
    const { dir, id } = await location({ others: [other, { id: randomUUID(), name: 'Elsewhere', databaseType: 'POSTGRESQL' }] });
    const r = await cli(['migrate-in-place', '--sqlite-dir', dir, '--workspace', id]);
    expect(r.code).toBe(0);
    expect(await describeSqliteFile(join(dir, 'fief.db'))).toBe('workspace Acme');
    expect(existsSync(join(dir, id))).toBe(false);
    const backups = readdirSync(dir).filter((n) => n.startsWith('fief.db.bak-'));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(/^fief\.db\.bak-\d{8}T\d{6}Z$/);
    expect(await describeSqliteFile(join(dir, backups[0] ?? ''))).toBe(LEGACY_MAIN);
    expect(r.stdout).toContain(`Workspace "Acme" (${id}) is now the main database; the legacy main file is kept as ${join(dir, backups[0] ?? '')}`);
    expect(r.stdout).toContain(`Other workspaces are still here (Other (${other.id}))`);
  });

  it('then refuses a second move: fief.db is no longer the legacy main database', async () => {
    const other = { id: randomUUID(), name: 'Other' };
    const { dir, id } = await location({ others: [other] });
    expect((await cli(['migrate-in-place', '--sqlite-dir', dir, '--workspace', id])).code).toBe(0);
    for (const args of [[], ['--dry-run']]) {
      await expectRefused(dir, ['--workspace', other.id, ...args], /fief\.db already holds Fief data \(fief_alembic_version, .*was a workspace migrated already\? nothing was moved$/);
    }
    expect(await describeSqliteFile(join(dir, 'fief.db'))).toBe('workspace Acme');
    expect(await describeSqliteFile(join(dir, other.id))).toBe('workspace Other');
  });

  it("a dry run's script stops before moving anything once fief.db is no longer the file the dry run checked", async () => {
    const other = { id: randomUUID(), name: 'Other' };
    const { dir, id } = await location({ others: [other] });
    const dry = await cli(['migrate-in-place', '--sqlite-dir', dir, '--workspace', other.id, '--dry-run']);
    expect(dry.code).toBe(0);
    expect((await cli(['migrate-in-place', '--sqlite-dir', dir, '--workspace', id])).code).toBe(0);
    const before = readdirSync(dir).sort();
    const sh = spawnSync('sh', ['-e', '-c', dry.stdout], { encoding: 'utf8' });
    expect(sh.status).not.toBe(0);
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(await describeSqliteFile(join(dir, 'fief.db'))).toBe('workspace Acme');
  });

  it('refuses while another run holds the lock on the main file; a dry run does not need it', async () => {
    const { dir, id } = await location();
    writeFileSync(join(dir, 'fief.db.migrate-lock'), 'another run');
    await expectRefused(dir, ['--workspace', id], /fief\.db\.migrate-lock exists: another migrate-in-place is moving files here; if none is running .*delete that file and retry; nothing was moved$/);
    expect((await cli(['migrate-in-place', '--sqlite-dir', dir, '--workspace', id, '--dry-run'])).code).toBe(0);
    rmSync(join(dir, 'fief.db.migrate-lock'));
    expect((await cli(['migrate-in-place', '--sqlite-dir', dir, '--workspace', id])).code).toBe(0);
    expect(readdirSync(dir).filter((n) => n.endsWith('-lock'))).toEqual([]);
  });

  it('runs two real moves at once one at a time: one succeeds, the other is refused, no file is lost', async () => {
    const other = { id: randomUUID(), name: 'Other' };
    const { dir, id } = await location({ others: [other] });
    const runs = await Promise.allSettled([
      migrateSqlite({ dir, workspaceId: id, now: new Date('2025-01-01T00:00:00Z') }),
      migrateSqlite({ dir, workspaceId: other.id, now: new Date('2025-01-01T00:00:01Z') }),
    ]);
    expect(runs.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const files = await Promise.all(readdirSync(dir).map((n) => describeSqliteFile(join(dir, n))));
    expect(files.sort()).toEqual([LEGACY_MAIN, 'workspace Acme', 'workspace Other'].sort());
  });

  it('refuses a bring-your-own-database workspace, also in a dry run', async () => {
    const { dir, id } = await location({ databaseType: 'POSTGRESQL' });
    for (const args of [[], ['--dry-run']]) {
      await expectRefused(dir, ['--workspace', id, ...args], /workspace .* keeps its data in its own POSTGRESQL database \(bring your own database\)/);
    }
  });

  it('refuses a workspace fief.db does not list, even if its file is there', async () => {
    const { dir, id } = await location({ listed: false, others: [{ id: randomUUID(), name: 'Other' }] });
    await expectRefused(dir, ['--workspace', id], new RegExp(`^fief-exporter: workspace ${id} does not exist in .*/fief\\.db$`));
  });

  it('refuses a main file that is not a legacy main database, or not SQLite at all', async () => {
    const { dir, id } = await location();
    await writeWorkspaceFile(join(dir, 'auth.db'), 'not a main file');
    await expectRefused(dir, ['--workspace', id, '--main-file', 'auth.db'], /auth\.db already holds Fief data/);
    rmSync(join(dir, 'auth.db'));
    await writeLegacyMain(join(dir, 'auth.db'), []);
    await expectRefused(dir, ['--workspace', id, '--main-file', 'auth.db'], /workspace .* does not exist in .*auth\.db/);
    writeFileSync(join(dir, 'fief.db'), 'SQLite format 3\0 and then garbage'.padEnd(4096, '!'));
    await expectRefused(dir, ['--workspace', id], /fief\.db cannot be read as an SQLite database \(.*\): is --sqlite-dir Fief's DATABASE_LOCATION\?$/);
    writeFileSync(join(dir, 'fief.db'), 'plain text');
    await expectRefused(dir, ['--workspace', id], /fief\.db is not an SQLite database/);
  });

  it('refuses a main file far larger than a legacy main database, without reading it', async () => {
    const { dir, id } = await location();
    // Sparse: 300 MiB on paper, a few bytes on disk.
    const fd = openSync(join(dir, 'fief.db'), 'r+');
    writeSync(fd, Buffer.from('!'), 0, 1, 300 * 1024 * 1024);
    closeSync(fd);
    await expectRefused(dir, ['--workspace', id], /fief\.db is 300 MiB, more than a legacy main database holds \(limit 256 MiB\)/);
  });

  it('honours --main-file, and --dry-run prints the two moves without making them', async () => {
    const { dir, id } = await location();
    await writeLegacyMain(join(dir, 'auth.db'), [{ id, name: 'Acme' }]);
    const r = await cli(['migrate-in-place', '--sqlite-dir', dir, '--workspace', id, '--main-file', 'auth.db', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe(`# fief-exporter migrate-in-place --dry-run: workspace "Acme" (${id}) on SQLite`);
    const moves = r.stdout.split('\n').filter((l) => l.startsWith('mv '));
    expect(moves).toHaveLength(2);
    expect(moves[0]).toMatch(new RegExp(`^mv -n -- '${dir}/auth\\.db' '${dir}/auth\\.db\\.bak-\\d{8}T\\d{6}Z'$`));
    expect(moves[1]).toBe(`mv -n -- '${dir}/${id}' '${dir}/auth.db'`);
    expect(readdirSync(dir).sort()).toEqual([id, 'auth.db', 'fief.db'].sort());
  });

  it('never overwrites an existing backup', async () => {
    const { dir, id } = await location();
    const now = new Date('2025-01-02T03:04:05.678Z');
    writeFileSync(join(dir, 'fief.db.bak-20250102T030405Z'), 'an older backup');
    const err = await rejection(migrateSqlite({ dir, workspaceId: id, now }));
    expect(err.code).toBe('MIGRATE_FAILED');
    expect(err.message).toMatch(/the backup .*fief\.db\.bak-20250102T030405Z already exists; nothing was moved/);
    expect(await describeSqliteFile(join(dir, 'fief.db'))).toBe(LEGACY_MAIN);
    expect(existsSync(join(dir, id))).toBe(true);
  });

  it('refuses a workspace file that is not an SQLite database, or is missing', async () => {
    const fileless = { id: randomUUID(), name: 'Fileless' };
    const { dir, id } = await location({ others: [fileless] });
    writeFileSync(join(dir, id), 'SQLite format 2\0 but not really');
    await expectRefused(dir, ['--workspace', id], /is not an SQLite database \(its header is not "SQLite format 3"\)/);
    rmSync(join(dir, fileless.id));
    await expectRefused(dir, ['--workspace', fileless.id], /does not exist \(Fief names a workspace's file after its id, with no extension\)/);
  });

  it('refuses while a journal or WAL sits next to either file (it holds part of the database)', async () => {
    for (const side of ['-wal', '-journal']) {
      const { dir, id } = await location();
      writeFileSync(join(dir, `fief.db${side}`), 'pending');
      const err = await rejection(migrateSqlite({ dir, workspaceId: id }));
      expect(err.message).toMatch(new RegExp(`fief\\.db${side} exists .*stop Fief`));
      expect(readdirSync(dir).sort()).toEqual([id, 'fief.db', `fief.db${side}`].sort());
    }
  });

  it('refuses a directory without the main file', async () => {
    const { dir, id } = await location();
    rmSync(join(dir, 'fief.db'));
    const err = await rejection(migrateSqlite({ dir, workspaceId: id }));
    expect(err.message).toMatch(/fief\.db does not exist: --sqlite-dir must be Fief's DATABASE_LOCATION/);
    expect(existsSync(join(dir, id))).toBe(true);
  });
});
