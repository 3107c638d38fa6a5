/**
 * Text from a database or a file never drives the terminal: `workspaces`, `export` (its
 * summary and pre-flight warnings) and `import` show control characters as escapes.
 */
import { join } from 'node:path';
import { writeFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../src/crypto/fernet.js';
import { untrusted } from '../src/cli/io.js';
import { query, useTestDatabase } from './helpers/db.js';
import { useLegacyInstance } from './helpers/legacy-instance.js';
import { tempDir } from './helpers/dump.js';
import { cli } from './helpers/cli.js';

const KEY = generateKey();
const NAME = 'Evil\u001b]0;owned\u0007\u001b[2J\rName\u202eemaN\u009b31m';
const REVISION = 'abc\u001b[31mred\u001b[0m\r\n';
/** What a terminal would act on: ESC, BEL, CR, C1 CSI, the bidi override. */
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0007\u001b\r\u009b\u202e]/;
const dir = tempDir();
const legacy = useLegacyInstance('fe_term', {
  encryptionKey: KEY,
  accounts: 1,
  workspaces: [{ name: NAME, variant: 'v0.27', users: 2, auditLogs: 2, members: [0] }],
}, async (i) => {
  await query(i.databaseUrl, `UPDATE ${JSON.stringify(i.workspaces[0]?.schema)}.fief_alembic_version SET version_num = $1`, [REVISION]);
});

describe('control characters from a database or a file are escaped', () => {
  it('untrusted() shows each control character as an escape', () => {
    expect(untrusted('a\u001b[2Jb\rc\u202ed\u0085e\tf\n')).toBe('a\\e[2Jb\\rc\\u202ed\\u0085e\\tf\\n');
  });

  it('workspaces, as a table and as JSON', async () => {
    const table = await cli(['workspaces', '--database-url', legacy.instance.databaseUrl]);
    expect(table.code).toBe(0);
    expect(table.stdout).not.toMatch(RAW_CONTROL);
    expect(table.stdout).toContain('Evil\\e]0;owned\\u0007\\e[2J\\rName\\u202eemaN\\u009b31m');
    const json = await cli(['workspaces', '--database-url', legacy.instance.databaseUrl, '--json']);
    expect(json.stdout).not.toMatch(RAW_CONTROL);
    expect((JSON.parse(json.stdout) as { name: string }[])[0]?.name).toBe(NAME);
  });

  it('export: the pre-flight warning and the summary', async () => {
    const out = join(dir, 'evil.sql');
    const r = await cli(['export', '--database-url', legacy.instance.databaseUrl, '--workspace', legacy.instance.workspaces[0]?.id ?? '', '-o', out], { ENCRYPTION_KEY: KEY });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr).toContain('abc\\e[31mred\\e[0m\\r\\n');
    expect(r.stderr).toContain('Exported workspace "Evil\\e]0;owned');
  });

  it('import: server notices and errors quoting the file', async () => {
    const db = await useTestDatabase('fe_term_import');
    const file = join(dir, 'noisy.sql');
    await writeFile(file, "DO $$ BEGIN RAISE NOTICE E'\\x1b]0;title\\x07\\r\\u202e'; END $$;\nSELECT E'\\x1b[2J'::int;\n");
    const r = await cli(['import', file, '--database-url', db.url]);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/^NOTICE: /);
  });
});
