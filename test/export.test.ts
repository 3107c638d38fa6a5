/**
 * The dump engine end to end: seed a legacy instance, export each kind of workspace, replay the
 * file with the real psql into an empty database, and compare catalog and rows with the source.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Fernet, generateKey } from '../src/crypto/fernet.js';
import type { SeededWorkspace } from '../src/dev/seed/index.js';
import { RunPool, type DumpSummary, type ExportOptions } from '../src/dump/index.js';
import { snapshotSchema, tableNames } from './helpers/catalog-snapshot.js';
import { createDatabase, withPg } from './helpers/db.js';
import { exportToFile, keyLine, psqlFile, tempDir } from './helpers/dump.js';
import { useLegacyInstance } from './helpers/legacy-instance.js';
import { expectSameData } from './helpers/workspace-copy.js';

const KEY = generateKey();
const dir = tempDir();
const drops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const drop of drops.reverse()) await drop();
});

async function emptyDatabase(prefix = 'fe_target'): Promise<string> {
  const db = await createDatabase(prefix);
  drops.push(db.drop);
  return db.url;
}

const legacy = useLegacyInstance('fe_main', async () => {
  const byodUrl = await emptyDatabase('fe_byod');
  return {
    encryptionKey: KEY,
    accounts: 3,
    workspaces: [
      { name: 'Consolidated', variant: 'v0.27', users: 60, auditLogs: 300, hostile: true, members: [0, 1] },
      { name: 'Old chain', variant: 'v0.26-chain', users: 40, auditLogs: 100, hostile: true, members: [0] },
      { name: 'BYOD schema', variant: 'v0.27', users: 20, auditLogs: 20, hostile: true, byod: { databaseUrl: byodUrl, useSchema: true } },
      { name: 'BYOD public', variant: 'v0.26-chain', users: 20, auditLogs: 20, byod: { databaseUrl: byodUrl, useSchema: false } },
      { name: 'On MySQL', byod: { mysql: true } },
      { name: 'Needs care', variant: 'v0.27', users: 5, auditLogs: 5, roleNamedAdministrator: true, duplicateOAuthAccount: true },
      { name: 'Bad token', variant: 'v0.27', users: 400, auditLogs: 3000 },
      { name: 'No refresh token', variant: 'v0.27', users: 30, auditLogs: 10 },
    ],
  };
});
const ws = (name: string): SeededWorkspace => legacy.workspace(name);

/** Exports `source` with the instance's key (and `more` options) to `name` in the test directory. */
async function exportWorkspace(source: SeededWorkspace, name: string, more: Partial<ExportOptions> = {}): Promise<{ file: string; summary: DumpSummary; warnings: string[] }> {
  const file = join(dir, name);
  return { file, ...(await exportToFile({ mainDatabase: { connectionString: legacy.instance.databaseUrl }, encryptionKey: KEY, workspaceId: source.id, ...more }, file)) };
}

/** Replays `file` with psql into a new empty database, which must take it without a word. */
async function replayed(file: string): Promise<string> {
  const target = await emptyDatabase();
  const replay = await psqlFile(target, file);
  expect(replay.stderr).toBe('');
  expect(replay.code).toBe(0);
  return target;
}

describe.each(['Consolidated', 'Old chain', 'BYOD schema', 'BYOD public'])('export of workspace %s', (name) => {
  it('replays with psql into an empty database: same catalog, same rows, tokens under the new key', async () => {
    const source = ws(name);
    const { file, summary } = await exportWorkspace(source, `${name.replace(/\W/g, '_')}.sql`);
    expect(summary.tables.length).toBe(28);
    const target = await replayed(file);

    const [a, b] = await Promise.all([
      withPg(source.databaseUrl, (c) => snapshotSchema(c, source.schema)),
      withPg(target, (c) => snapshotSchema(c, 'public')),
    ]);
    expect(b).toEqual(a);

    const exportKey = keyLine(file);
    expect(exportKey).not.toBe(KEY);
    expect(readFileSync(file).includes(Buffer.from(KEY))).toBe(false);
    await expectSameData(source, KEY, target, exportKey);
  });
});

describe.each([
  { label: 'held across runs that cut rows', budget: undefined },
  { label: 'one held, one over the budget and streamed at once', budget: 3000 },
])('tables with tokens, $label', ({ budget }) => {
  it('replay with the same rows and tokens under the new key', async () => {
    const source = ws('Consolidated');
    // 512-byte runs: nearly every fief_oauth_accounts row (and many tokens) straddles two.
    const runs = new RunPool(512);
    const { file } = await exportWorkspace(source, `small-runs-${budget ?? 'default'}.sql`, { runs, ...(budget ? { holdBudgetBytes: budget } : {}) });
    await expectSameData(source, KEY, await replayed(file), keyLine(file));
  });
});

describe('export options and guarantees', () => {
  it('keeps hostile values byte for byte (a line that is exactly \\., the schema name, a multi-megabyte value)', async () => {
    const source = ws('Consolidated');
    const target = await replayed((await exportWorkspace(source, 'hostile.sql')).file);
    const probe = async (url: string, schema: string): Promise<unknown[]> =>
      withPg(url, async (c) => {
        const s = pg.escapeIdentifier(schema);
        const r = await c.query<Record<string, unknown>>(
          `SELECT (SELECT max(length(content)) FROM ${s}.fief_email_templates) AS biggest,
                  (SELECT count(*) FROM ${s}.fief_user_field_values v WHERE v.value_string = E'first line\\n\\\\.\\nlast line') AS dot_lines,
                  (SELECT count(*) FROM ${s}.fief_user_field_values v WHERE v.value_string = '') AS empty_strings,
                  (SELECT array_agg(message ORDER BY message) FROM ${s}.fief_audit_logs a WHERE a.message ~ '[\t\r\\$]') AS hostile_messages,
                  (SELECT count(*) FROM ${s}.fief_audit_logs a WHERE a.extra::text LIKE '%' || $1 || '%') AS schema_mentions`,
          [source.id],
        );
        return r.rows;
      });
    const before = await probe(source.databaseUrl, source.schema);
    expect(await probe(target, 'public')).toEqual(before);
    expect(before[0]).toMatchObject({ dot_lines: '1', empty_strings: '1', schema_mentions: expect.not.stringMatching(/^0$/) as unknown });
    expect((before[0] as { biggest: number }).biggest).toBeGreaterThan(1_000_000);
  });

  it('--keep-key writes the instance key and copies tokens unchanged', async () => {
    const source = ws('Old chain');
    const { file } = await exportWorkspace(source, 'keep.sql', { keepKey: true });
    expect(keyLine(file)).toBe(KEY);
    const target = await replayed(file);
    const tokens = (url: string, schema: string): Promise<unknown[]> =>
      withPg(url, async (c) => (await c.query<Record<string, unknown>>(`SELECT id, client_id, client_secret FROM ${pg.escapeIdentifier(schema)}.fief_oauth_providers ORDER BY id`)).rows);
    expect(await tokens(target, 'public')).toEqual(await tokens(source.databaseUrl, source.schema));
  });

  it('a dump cut anywhere and replayed by plain psql (no -1) leaves no fief_ table', async () => {
    const source = ws('Old chain');
    const bytes = readFileSync((await exportWorkspace(source, 'whole.sql')).file);
    const target = await emptyDatabase();
    // A deterministic spread of 20 offsets over the whole file (header, DDL, COPY data, footer).
    for (let i = 1; i <= 20; i++) {
      const cut = Math.floor((bytes.length * i) / 21) + ((i * 7919) % 997);
      const part = join(dir, `cut-${i}.sql`);
      writeFileSync(part, bytes.subarray(0, cut));
      await psqlFile(target, part, []);
      const left = await withPg(target, (c) => tableNames(c, 'public'));
      expect({ cut, left }).toEqual({ cut, left: [] });
    }
  });

  it('--prune-dead-secrets keeps the tables but leaves their rows out', async () => {
    const source = ws('Consolidated');
    const target = await replayed((await exportWorkspace(source, 'pruned.sql', { pruneDeadSecrets: true })).file);
    await withPg(target, async (c) => {
      for (const t of ['session_tokens', 'refresh_tokens', 'authorization_codes', 'email_verifications', 'login_sessions', 'registration_sessions', 'oauth_sessions']) {
        const { rows } = await c.query<{ n: number }>(`SELECT count(*)::int AS n FROM public.fief_${t}`);
        expect({ t, n: rows[0]?.n }).toEqual({ t, n: 0 });
      }
      const users = await c.query<{ n: number }>('SELECT count(*)::int AS n FROM public.fief_users');
      expect(users.rows[0]?.n).toBe(source.rowCounts.fief_users);
    });
  });

  it('--target-schema and --gzip produce a loadable dump in that schema', async () => {
    const source = ws('BYOD schema');
    const { file } = await exportWorkspace(source, 'schema.sql.gz', { targetSchema: 'fief data', gzip: true });
    const plain = join(dir, 'schema.sql');
    writeFileSync(plain, gunzipSync(readFileSync(file)));
    const target = await replayed(plain);
    const [a, b] = await Promise.all([
      withPg(source.databaseUrl, (c) => snapshotSchema(c, source.schema)),
      withPg(target, (c) => snapshotSchema(c, 'fief data')),
    ]);
    expect(b).toEqual(a);
  });

  it('warns on what would trouble Fief ≥ 0.28, and --strict refuses', async () => {
    const source = ws('Needs care');
    const { warnings } = await exportWorkspace(source, 'care.sql');
    expect(warnings.join('\n')).toMatch(/Administrator/);
    expect(warnings.join('\n')).toMatch(/oauth_provider_id, account_id/);
    await expect(exportWorkspace(source, 'care-strict.sql', { strict: true })).rejects.toMatchObject({ code: 'PREFLIGHT_FAILED' });
  });

  it('a token that does not decrypt, past the pre-flight sample, stops the export early, naming its row', async () => {
    const source = ws('Bad token');
    const accounts = `${pg.escapeIdentifier(source.schema)}.fief_oauth_accounts`;
    const last = await withPg(source.databaseUrl, async (c) => {
      const { rows } = await c.query<{ id: string; n: string }>(`SELECT id::text AS id, count(*) OVER () AS n FROM ${accounts} ORDER BY ctid DESC LIMIT 1`);
      const row = rows[0];
      if (!row) throw new Error('no oauth accounts seeded');
      await c.query(`UPDATE ${accounts} SET access_token = $1 WHERE id = $2`, [new Fernet(generateKey()).encrypt('ya29.other-key'), row.id]);
      return row;
    });
    expect(Number(last.n)).toBeGreaterThan(20); // beyond the rows decrypted before the first byte
    const streamed = new Set<string>();
    const onProgress = (p: { table: string }): void => void streamed.add(p.table);
    const namingTheRow = { code: 'DECRYPT_FAILED', message: expect.stringContaining(`fief_oauth_accounts.access_token of row ${last.id} `) as unknown };
    // The in-place pass runs while a table of at least one full run streams: with 64 KiB
    // runs, this workspace's 3 000 audit logs (~750 KB) are such a table.
    await expect(exportWorkspace(source, 'bad-token.sql', { onProgress, runs: new RunPool(64 * 1024) })).rejects.toMatchObject(namingTheRow);
    // Found while the first tables streamed, not after every table.
    expect(streamed.has('fief_audit_logs')).toBe(true);
    expect(streamed.has('fief_users')).toBe(false);

    // With the default 1 MB runs no table here is large enough for the pass to run while it
    // streams: the pass finishes after the other tables, and the export still fails there.
    streamed.clear();
    await expect(exportWorkspace(source, 'bad-token-small.sql', { onProgress, runs: new RunPool() })).rejects.toMatchObject(namingTheRow);
    expect(streamed.has('fief_users')).toBe(true);
  });

  it('re-encrypts the token columns a hand-altered schema still has (no refresh_token)', async () => {
    const source = ws('No refresh token');
    const accounts = `${pg.escapeIdentifier(source.schema)}.fief_oauth_accounts`;
    await withPg(source.databaseUrl, (c) => c.query(`ALTER TABLE ${accounts} DROP COLUMN refresh_token`));
    const { file } = await exportWorkspace(source, 'no-refresh-token.sql');
    const target = await replayed(file);
    const tokens = async (url: string, schema: string, key: string): Promise<Record<string, string | null>> => {
      const f = new Fernet(key);
      const { rows } = await withPg(url, (c) =>
        c.query<{ id: string; access_token: string }>(`SELECT id::text AS id, access_token FROM ${pg.escapeIdentifier(schema)}.fief_oauth_accounts`),
      );
      return Object.fromEntries(rows.map((r) => [r.id, f.decryptString(r.access_token)]));
    };
    const before = await tokens(source.databaseUrl, source.schema, KEY);
    expect(Object.keys(before).length).toBeGreaterThan(0);
    expect(await tokens(target, 'public', keyLine(file))).toEqual(before);
    const columns = await withPg(target, (c) =>
      c.query<{ n: string }>(`SELECT count(*)::text AS n FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'fief_oauth_accounts' AND column_name = 'refresh_token'`),
    );
    expect(columns.rows[0]?.n).toBe('0');
  });

  it('refuses a MySQL workspace, an unknown one, a non-member, and a wrong key, before any byte', async () => {
    await expect(exportWorkspace(ws('On MySQL'), 'x.sql')).rejects.toMatchObject({
      code: 'WORKSPACE_UNSUPPORTED',
      message: expect.stringMatching(/self-hosted migration/) as unknown,
    });
    const consolidated = ws('Consolidated');
    await expect(exportWorkspace(consolidated, 'x.sql', { workspaceId: '00000000-0000-4000-8000-000000000000' })).rejects.toMatchObject({ code: 'WORKSPACE_NOT_FOUND' });
    const outsider = legacy.instance.accounts[2]?.sub ?? '';
    await expect(exportWorkspace(consolidated, 'x.sql', { userSub: outsider })).rejects.toMatchObject({ code: 'WORKSPACE_NOT_FOUND' });
    await expect(exportWorkspace(consolidated, 'x.sql', { encryptionKey: generateKey() })).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
      message: expect.stringMatching(/fief_oauth_(providers|accounts)\.\w+ of row [0-9a-f-]{36}/) as unknown,
    });
    await expect(exportWorkspace(ws('BYOD schema'), 'x.sql', { encryptionKey: generateKey() })).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
      message: expect.stringMatching(/workspaces\.database_\w+/) as unknown,
    });
  });
});
