/**
 * `fief-exporter export --all` on a real legacy instance (both schema variants, two bring-your-
 * own databases, two workspaces whose names collide once sanitised): the zip is sound for
 * unzip and Python, every entry loads with psql into its own empty database and equals its
 * source under its own key, and the manifest tells the truth.
 */
import { createHash } from 'node:crypto';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Fernet } from '../src/crypto/fernet.js';
import type { Manifest } from '../src/archive/manifest.js';
import { cli, expectOneLineError } from './helpers/cli.js';
import { createDatabase, query } from './helpers/db.js';
import { captureDbState } from './helpers/db-state.js';
import { keyLine, run, tempDir } from './helpers/dump.js';
import { useLegacyInstance } from './helpers/legacy.js';
import { expectSameCatalog, expectSameData } from './helpers/workspace-copy.js';

const legacy = await useLegacyInstance({
  users: 30,
  auditLogs: 60,
  extraWorkspaces: [
    { name: 'Café', users: 4, auditLogs: 4, hostile: false },
    { name: 'cafe', variant: 'v0.26-chain', users: 4, auditLogs: 4, hostile: false },
  ],
});
const dir = tempDir('fe-export-all-');
const env = { ENCRYPTION_KEY: legacy.encryptionKey };

async function exportAll(out: string, ...extra: string[]) {
  return cli(['export', '--all', '--database-url', legacy.databaseUrl, '-o', out, ...extra], env);
}

async function extract(zip: string, name: string): Promise<{ files: string[]; dir: string; manifest: Manifest }> {
  const into = join(dir, name);
  const r = await run('unzip', ['-q', '-d', into, zip]);
  expect(r.code, r.stderr).toBe(0);
  const files = readdirSync(into).sort();
  return { files, dir: into, manifest: JSON.parse(readFileSync(join(into, 'manifest.json'), 'utf8')) as Manifest };
}

describe('export --all', () => {
  it('writes one sound zip whose every dump loads with psql and equals its source under its own key', async () => {
    const zip = join(dir, 'workspaces.zip');
    const r = await exportAll(zip);
    expect(r.stderr).toMatch(/Exported 6 of 6 workspaces/);
    expect(r.code).toBe(0);
    expect(statSync(zip).mode & 0o777).toBe(0o600);

    const tested = await run('unzip', ['-t', zip]);
    expect(tested.code, tested.stdout).toBe(0);
    expect(tested.stdout).toMatch(/No errors detected/);
    const python = await run('python3', ['-c', 'import zipfile,sys; sys.exit(zipfile.ZipFile(sys.argv[1]).testzip() is not None)', zip]);
    expect(python.code, python.stderr).toBe(0);

    const { files, dir: extracted, manifest } = await extract(zip, 'all');
    const dumps = files.filter((f) => f.endsWith('.sql'));
    expect(files).toEqual([...dumps, 'README.txt', 'manifest.json'].sort());
    expect(dumps).toHaveLength(legacy.workspaces.length);
    // "Café" and "cafe" both sanitise to fief_dump_Cafe.sql: each gets its id's first 8 characters.
    for (const w of legacy.workspaces.filter((x) => /^caf/i.test(x.name))) {
      expect(dumps).toContain(`fief_dump_${w.name === 'Café' ? 'Cafe' : 'cafe'}_${w.id.replace(/-/g, '').slice(0, 8)}.sql`);
    }
    expect(manifest.skipped).toEqual([]);
    expect(manifest.entries.map((e) => e.workspaceId).sort()).toEqual(legacy.workspaces.map((w) => w.id).sort());

    const keys = new Set<string>();
    for (const entry of manifest.entries) {
      const source = legacy.workspaces.find((w) => w.id === entry.workspaceId)!;
      const path = join(extracted, entry.file);
      const bytes = readFileSync(path);
      expect(entry).toMatchObject({ workspaceName: source.name, bytes: bytes.length, formatVersion: 2, key: 'fresh' });
      expect(entry.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
      expect(entry.rows).toEqual(source.rowCounts);
      const key = keyLine(path);
      new Fernet(key); // a well-formed key
      expect(key).not.toBe(legacy.encryptionKey);
      expect(bytes.includes(Buffer.from(legacy.encryptionKey))).toBe(false);
      keys.add(key);

      // Straight from the archive, as README.txt shows it.
      const target = await createDatabase('fe_all_entry');
      try {
        const loaded = await run('bash', ['-c', 'set -o pipefail; unzip -p "$1" "$2" | psql -X -q -1 -v ON_ERROR_STOP=1 -d "$3"', 'bash', zip, entry.file, target.url]);
        expect(loaded.code, loaded.stderr).toBe(0);
        // -1 around the dump's own BEGIN ... COMMIT: psql's two notices about it, nothing else.
        expect(loaded.stderr.split('\n').filter((l) => l !== '' && !/^WARNING: {2}there is (already a|no) transaction in progress$/.test(l))).toEqual([]);
        await expectSameCatalog(source, target.url);
        await expectSameData(source, legacy.encryptionKey, target.url, key);
      } finally {
        await target.drop();
      }
    }
    expect(keys.size).toBe(manifest.entries.length);

    const readme = readFileSync(join(extracted, 'README.txt'), 'utf8');
    for (const entry of manifest.entries) {
      expect(readme).toContain(`psql -X -v ON_ERROR_STOP=1 -d fief_${entry.file.slice(10, -4).toLowerCase()} -f '${entry.file}'`);
      expect(readme).toContain(`unzip -p 'workspaces.zip' '${entry.file}' | psql -X -v ON_ERROR_STOP=1`);
    }
    expect(readme).toMatch(/each dump has its key on its first line/);
  }, 300_000);

  it('import --entry loads one dump of the archive to the state psql leaves', async () => {
    const zip = join(dir, 'workspaces.zip');
    const file = (await extract(zip, 'for-import')).manifest.entries.find((e) => e.workspaceId === legacy.chain.id)!.file;
    const ours = await createDatabase('fe_all_import');
    const theirs = await createDatabase('fe_all_psql');
    try {
      const imported = await cli(['import', zip, '--entry', file, '--database-url', ours.url]);
      expect(imported.code, imported.stderr).toBe(0);
      const loaded = await run('bash', ['-c', 'set -o pipefail; unzip -p "$1" "$2" | psql -X -q -v ON_ERROR_STOP=1 -d "$3"', 'bash', zip, file, theirs.url]);
      expect(loaded.code, loaded.stderr).toBe(0);
      expect(await captureDbState(ours.url)).toEqual(await captureDbState(theirs.url));
    } finally {
      await ours.drop();
      await theirs.drop();
    }
  }, 120_000);

  it("with --user, holds only that account's workspaces", async () => {
    const zip = join(dir, 'bob.zip');
    const bob = legacy.accounts[1]!;
    const r = await exportAll(zip, '--user', bob.sub);
    expect(r.code, r.stderr).toBe(0);
    const { manifest } = await extract(zip, 'bob');
    const expected = legacy.workspaces.filter((w) => w.members.includes(bob.sub)).map((w) => w.id);
    expect(expected.length).toBeGreaterThan(0);
    expect(manifest.entries.map((e) => e.workspaceId)).toEqual(expected);

    const nobody = await exportAll(join(dir, 'nobody.zip'), '--user', '00000000-0000-4000-8000-000000000000');
    expect(nobody.code).toBe(1);
    expect(expectOneLineError(nobody)).toMatch(/member of no workspace/);
  });

  it('-o - writes the zip to stdout', async () => {
    const bob = legacy.accounts[1]!;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'export', '--all', '--user', bob.sub, '--database-url', legacy.databaseUrl, '-o', '-'], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => chunks.push(d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    expect(code).toBe(0);
    const zip = join(dir, 'stdout.zip');
    writeFileSync(zip, Buffer.concat(chunks));
    const { manifest } = await extract(zip, 'stdout');
    expect(manifest.entries.map((e) => e.workspaceId)).toEqual(legacy.workspaces.filter((w) => w.members.includes(bob.sub)).map((w) => w.id));
  }, 120_000);

  it('stops at a workspace whose database cannot be reached, naming it, unless --skip-failed', async () => {
    const victim = legacy.byodSchema;
    const fernet = new Fernet(legacy.encryptionKey);
    const [saved] = await query<{ p: string }>(legacy.databaseUrl, 'SELECT database_port AS p FROM workspaces WHERE id = $1', [victim.id]);
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    await query(legacy.databaseUrl, 'UPDATE workspaces SET database_port = $2 WHERE id = $1', [victim.id, fernet.encrypt('1')]);
    try {
      const zip = join(dir, 'failing.zip');
      const failed = await exportAll(zip);
      expect(failed.code).toBe(1);
      expect(expectOneLineError(failed)).toMatch(new RegExp(`workspace "${victim.name}" \\(${victim.id}\\): cannot reach PostgreSQL`));
      expect(existsSync(zip)).toBe(false);
      expect(existsSync(`${zip}.partial`)).toBe(false);

      const skipped = await exportAll(zip, '--skip-failed');
      expect(skipped.code, skipped.stderr).toBe(0);
      expect(skipped.stderr).toMatch(new RegExp(`skipped workspace "${victim.name}"`));
      expect(skipped.stderr).toMatch(/Exported 5 of 6 workspaces \([\d,]+ rows, 1 skipped\)/);
      const { manifest, dir: extracted, files } = await extract(zip, 'skipped');
      expect(manifest.skipped).toHaveLength(1);
      expect(manifest.skipped[0]).toMatchObject({ workspaceId: victim.id, workspaceName: victim.name, code: 'DATABASE_UNREACHABLE' });
      expect(manifest.skipped[0]?.reason).toMatch(/cannot reach PostgreSQL/);
      expect(files.filter((f) => f.endsWith('.sql'))).toHaveLength(5);
      expect(readFileSync(join(extracted, 'README.txt'), 'utf8')).toMatch(new RegExp(`NOT EXPORTED \\(1; see manifest.json\\):\\n  workspace "${victim.name}" \\(${victim.id}\\): cannot reach`));
    } finally {
      await query(legacy.databaseUrl, 'UPDATE workspaces SET database_port = $2 WHERE id = $1', [victim.id, saved!.p]);
    }
  }, 120_000);

  it('refuses options that do not go together', async () => {
    const both = await cli(['export', '--all', '--workspace', legacy.cloud.id, '--database-url', legacy.databaseUrl], env);
    expect(both.code).toBe(2);
    expect(expectOneLineError(both)).toMatch(/either --workspace <id> or --all/);
    const gzip = await cli(['export', '--all', '--gzip', '--database-url', legacy.databaseUrl], env);
    expect(gzip.code).toBe(2);
    const skip = await cli(['export', '--workspace', legacy.cloud.id, '--skip-failed', '--database-url', legacy.databaseUrl], env);
    expect(skip.code).toBe(2);
  });
});
