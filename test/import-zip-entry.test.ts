/**
 * `fief-exporter import ARCHIVE.zip --entry NAME`: one dump out of an archive of several, checked
 * against the archive's manifest.json before anything is committed.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { MANIFEST_KIND } from '../src/archive/manifest.js';
import { runCli } from '../src/cli/program.js';
import { query, useTestDatabase } from './helpers/db.js';
import { captureDbState } from './helpers/db-state.js';
import { tempDir } from './helpers/dump.js';
import { DUMP_KEY, fiefDump } from './helpers/fief-dump.js';
import { writeZip } from './helpers/zip-file.js';

const dir = tempDir('fe-zip-entry-');
const alpha = Buffer.from(fiefDump());
const beta = Buffer.from(fiefDump({ schema: 'beta' }));
const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

function manifest(entries: { file: string; data: Buffer }[]): Buffer {
  return Buffer.from(JSON.stringify({ kind: MANIFEST_KIND, manifestVersion: 1, entries: entries.map((e) => ({ file: e.file, bytes: e.data.length, sha256: sha(e.data) })) }));
}

async function archive(name: string, dumps: { name: string; data: Buffer }[], listed: { file: string; data: Buffer }[] = dumps.map((d) => ({ file: d.name, data: d.data }))): Promise<string> {
  const path = join(dir, name);
  await writeZip(path, [...dumps, { name: 'README.txt', data: Buffer.from('hello\n') }, { name: 'manifest.json', data: manifest(listed) }]);
  return path;
}

async function importCli(args: string[]): Promise<{ code: number; stderr: string }> {
  const stderr = new PassThrough();
  let text = '';
  stderr.on('data', (d: Buffer) => (text += d.toString()));
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true);
  try {
    return { code: await runCli(['node', 'fief-exporter', 'import', ...args], stderr), stderr: text };
  } finally {
    process.stdout.write = write;
  }
}

const dumps = [
  { name: 'fief_dump_Alpha.sql', data: alpha },
  { name: 'fief_dump_Beta.sql', data: beta },
];

describe('import --entry', () => {
  it('loads the named entry and only that one', async () => {
    const zip = await archive('two.zip', dumps);
    const db = await useTestDatabase('fe_entry');
    const r = await importCli([zip, '--entry', 'fief_dump_Beta.sql', '--database-url', db.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(await query(db.url, 'SELECT count(*)::int AS n FROM beta.fief_users')).toEqual([{ n: 3 }]);
    expect(await query(db.url, `SELECT to_regclass('public.fief_users') AS t`)).toEqual([{ t: null }]);
  });

  it('without --entry, or with one it does not hold, lists the dumps the archive holds', async () => {
    const zip = await archive('choose.zip', dumps);
    const db = await useTestDatabase('fe_entry_none');
    const before = await captureDbState(db.url);
    const none = await importCli([zip, '--database-url', db.url]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('holds 2 dumps (fief_dump_Alpha.sql, fief_dump_Beta.sql); choose one with --entry <name>');
    const wrong = await importCli([zip, '--entry', 'fief_dump_Gamma.sql', '--database-url', db.url]);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('has no entry "fief_dump_Gamma.sql"; its dumps: fief_dump_Alpha.sql, fief_dump_Beta.sql');
    expect(await captureDbState(db.url)).toEqual(before);
  });

  it('refuses an entry that does not match its SHA-256 in manifest.json, committing nothing', async () => {
    // A dump that is valid on its own (its own checksums agree), but not the one the manifest lists.
    const zip = await archive('swapped.zip', [{ name: 'fief_dump_Alpha.sql', data: beta }], [{ file: 'fief_dump_Alpha.sql', data: alpha }]);
    const db = await useTestDatabase('fe_entry_bad');
    const before = await captureDbState(db.url);
    const r = await importCli([zip, '--entry', 'fief_dump_Alpha.sql', '--database-url', db.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/fief_dump_Alpha\.sql in swapped\.zip does not match its SHA-256 in manifest\.json .*; the target database is unchanged/);
    expect(r.stderr).not.toContain(DUMP_KEY);
    expect(await captureDbState(db.url)).toEqual(before);

    // The same archive with a manifest that agrees loads (so the refusal above is the manifest's doing).
    const fine = await archive('fine.zip', [{ name: 'fief_dump_Alpha.sql', data: beta }]);
    expect((await importCli([fine, '--database-url', db.url])).code).toBe(0);
  });

  it('--entry needs a zip archive', async () => {
    const db = await useTestDatabase('fe_entry_plain');
    const plain = join(dir, 'plain.sql');
    await import('node:fs/promises').then((fs) => fs.writeFile(plain, alpha));
    const r = await importCli([plain, '--entry', 'x.sql', '--database-url', db.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--entry applies to a zip archive, and plain\.sql is not one/);
  });
});
