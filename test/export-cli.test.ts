/** `fief-exporter workspaces` and `export` as a person runs them: exit codes and one-sentence errors. */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { importRecipe } from '../src/import-recipe.js';
import { describe, expect, it } from 'vitest';
import { generateKey } from '../src/crypto/fernet.js';
import { tempDir } from './helpers/dump.js';
import { cli } from './helpers/cli.js';
import { useLegacyInstance } from './helpers/legacy-instance.js';

const KEY = generateKey();
const dir = tempDir();
const legacy = useLegacyInstance('fe_cli', {
  encryptionKey: KEY,
  accounts: 3,
  workspaces: [
    { name: 'Alpha', variant: 'v0.27', users: 10, auditLogs: 10, members: [0, 1] },
    { name: 'Beta', variant: 'v0.26-chain', users: 10, auditLogs: 10, members: [0] },
  ],
});
const id = (name: string): string => legacy.workspace(name).id;

describe('fief-exporter workspaces', () => {
  it('lists every workspace, or only a member’s, as a table or JSON', async () => {
    const all = await cli(['workspaces', '--database-url', legacy.instance.databaseUrl]);
    expect(all.code).toBe(0);
    expect(all.stdout).toMatch(/Alpha[\s\S]*Beta/);
    const member = await cli(['workspaces', '--database-url', legacy.instance.databaseUrl, '--user', legacy.instance.accounts[1]?.sub ?? '', '--json']);
    expect(member.code).toBe(0);
    expect((JSON.parse(member.stdout) as { name: string }[]).map((w) => w.name)).toEqual(['Alpha']);
    const none = await cli(['workspaces', '--database-url', legacy.instance.databaseUrl, '--user', legacy.instance.accounts[2]?.sub ?? '']);
    expect(none.stdout).toMatch(/No workspace/);
  });
});

describe('fief-exporter export', () => {
  it('writes fief_dump_<Name>.sql readable only by its owner, with the key on line 1', async () => {
    const out = join(dir, 'alpha.sql');
    const r = await cli(['export', '--database-url', legacy.instance.databaseUrl, '--workspace', id('Alpha'), '-o', out], { ENCRYPTION_KEY: KEY });
    expect(r.stderr).toMatch(/Exported workspace "Alpha" \(28 tables/);
    expect(r.code).toBe(0);
    // The next step is the one recipe, for this very file.
    const named = relative(process.cwd(), out).startsWith('..') ? out : relative(process.cwd(), out);
    expect(r.stderr).toContain(`Import it into a new, empty database:\n${importRecipe(named).map((l) => `  ${l}\n`).join('')}`);
    expect(readFileSync(out, 'utf8')).toMatch(/^-- ENCRYPTION_KEY=[A-Za-z0-9_-]{43}=\n/);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(existsSync(`${out}.partial`)).toBe(false);
    const again = await cli(['export', '--database-url', legacy.instance.databaseUrl, '--encryption-key', KEY, '--workspace', id('Alpha'), '-o', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists; pass --force/);
  });

  it.each([
    ['a malformed database URL', ['--database-url', 'not a url', '--encryption-key', KEY, '--workspace', '00000000-0000-4000-8000-000000000000'], 2, /not a valid URL/],
    ['an unreachable server', ['--database-url', 'postgres://postgres@127.0.0.1:1/x', '--encryption-key', KEY, '--workspace', '00000000-0000-4000-8000-000000000000'], 1, /cannot reach PostgreSQL at 127\.0\.0\.1:1/],
    ['an invalid key', ['--encryption-key', 'nope', '--workspace', '00000000-0000-4000-8000-000000000000'], 1, /not a Fernet key/],
    ['an unknown workspace', ['--encryption-key', KEY, '--workspace', '00000000-0000-4000-8000-000000000000'], 1, /no workspace 00000000/],
    ['a non-UUID workspace', ['--encryption-key', KEY, '--workspace', 'abc'], 2, /must be a workspace id/],
    ['a missing key', ['--workspace', '00000000-0000-4000-8000-000000000000'], 2, /missing --encryption-key \(or the ENCRYPTION_KEY/],
    ['an unknown option', ['--bogus', '--workspace', '00000000-0000-4000-8000-000000000000'], 2, /unknown option/],
  ])('fails clearly on %s', async (_what, args, code, message) => {
    const withUrl = args.includes('--database-url') || args.includes('--bogus') ? args : ['--database-url', legacy.instance.databaseUrl, ...args];
    const r = await cli(['export', ...withUrl], { ENCRYPTION_KEY: '' });
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n').filter((l) => !l.startsWith('(run with')).length).toBe(1);
    expect(r.stderr).not.toContain(KEY);
  });
});

describe('fief-exporter export with nothing given', () => {
  it('names every missing option in one run', async () => {
    const r = await cli(['export'], { DATABASE_URL: '', ENCRYPTION_KEY: '' });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n', 1)[0]).toBe(
      'fief-exporter: missing --database-url (or the DATABASE_URL environment variable) and --encryption-key (or the ENCRYPTION_KEY environment variable); pass either --workspace <id> or --all',
    );
  });
});

describe('dump file names', () => {
  it('fall back to ASCII without accents and keep UTF-8 for filename*', async () => {
    const { dumpFileName, dumpFileNameUtf8 } = await import('../src/dump/filename.js');
    expect(dumpFileName('Île de Bréhat')).toBe('fief_dump_Ile_de_Brehat.sql');
    expect(dumpFileName('../../etc/passwd', true)).toBe('fief_dump_etc_passwd.sql.gz');
    expect(dumpFileName('🦄')).toBe('fief_dump_workspace.sql');
    expect(dumpFileNameUtf8('Île/"x"\n')).toBe('fief_dump_Île_x_.sql');
  });
});
