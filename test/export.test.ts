/**
 * The dump engine end to end: seed a legacy instance, export each kind of workspace, replay the
 * file with the real psql into an empty database, and compare catalog and rows with the source.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Fernet, generateKey } from '../src/crypto/fernet.js';
import { seedLegacyInstance, type SeededInstance, type SeededWorkspace } from '../src/dev/seed/index.js';
import { RunPool } from '../src/dump/index.js';
import { snapshotSchema, tableNames } from './helpers/catalog-snapshot.js';
import { createDatabase, withPg } from './helpers/db.js';
import { exportToFile, keyLine, psqlFile, tempDir } from './helpers/dump.js';
import { expectSameData as expectCopied } from './helpers/workspace-copy.js';

const KEY = generateKey();
let instance: SeededInstance;
let byodUrl: string;
const dir = tempDir();
const drops: (() => Promise<void>)[] = [];

async function emptyDatabase(): Promise<string> {
  const db = await createDatabase('fe_target');
  drops.push(db.drop);
  return db.url;
}

function ws(name: string): SeededWorkspace {
  const w = instance.workspaces.find((x) => x.name === name);
  if (!w) throw new Error(`no seeded workspace ${name}`);
  return w;
}

beforeAll(async () => {
  const main = await createDatabase('fe_main');
  const byod = await createDatabase('fe_byod');
  drops.push(main.drop, byod.drop);
  byodUrl = byod.url;
  instance = await seedLegacyInstance({
    databaseUrl: main.url,
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
  });
}, 300_000);

afterAll(async () => {
  for (const drop of drops.reverse()) await drop();
});

async function expectSameData(source: SeededWorkspace, targetUrl: string, exportKey: string): Promise<void> {
  await expectCopied(source, KEY, targetUrl, exportKey);
}

describe.each(['Consolidated', 'Old chain', 'BYOD schema', 'BYOD public'])('export of workspace %s', (name) => {
  it('replays with psql into an empty database: same catalog, same rows, tokens under the new key', async () => {
    const source = ws(name);
    const file = join(dir, `${name.replace(/\W/g, '_')}.sql`);
    const { summary } = await exportToFile({ mainDatabase: { connectionString: instance.databaseUrl }, encryptionKey: KEY, workspaceId: source.id }, file);
    expect(summary.tables.length).toBe(28);

    const target = await emptyDatabase();
    const replay = await psqlFile(target, file);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);

    const [a, b] = await Promise.all([
      withPg(source.databaseUrl, (c) => snapshotSchema(c, source.schema)),
      withPg(target, (c) => snapshotSchema(c, 'public')),
    ]);
    expect(b).toEqual(a);

    const exportKey = keyLine(file);
    expect(exportKey).not.toBe(KEY);
    expect(readFileSync(file).includes(Buffer.from(KEY))).toBe(false);
    await expectSameData(source, target, exportKey);
  });
});

describe.each([
  { label: 'held across runs that cut rows', budget: undefined },
  { label: 'one held, one over the budget and streamed at once', budget: 3000 },
])('tables with tokens, $label', ({ budget }) => {
  it('replay with the same rows and tokens under the new key', async () => {
    const source = ws('Consolidated');
    const file = join(dir, `small-runs-${budget ?? 'default'}.sql`);
    // 512-byte runs: nearly every fief_oauth_accounts row (and many tokens) straddles two.
    const runs = new RunPool(512);
    await exportToFile(
      { mainDatabase: { connectionString: instance.databaseUrl }, encryptionKey: KEY, workspaceId: source.id, runs, ...(budget ? { holdBudgetBytes: budget } : {}) },
      file,
    );
    const target = await emptyDatabase();
    const replay = await psqlFile(target, file);
    expect(replay.stderr).toBe('');
    await expectSameData(source, target, keyLine(file));
  });
});

describe('export options and guarantees', () => {
  it('keeps hostile values byte for byte (a line that is exactly \\., the schema name, a multi-megabyte value)', async () => {
    const source = ws('Consolidated');
    const file = join(dir, 'hostile.sql');
    await exportToFile({ mainDatabase: { connectionString: instance.databaseUrl }, encryptionKey: KEY, workspaceId: source.id }, file);
    const target = await emptyDatabase();
    expect((await psqlFile(target, file)).code).toBe(0);
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
    const file = join(dir, 'keep.sql');
    await exportToFile({ mainDatabase: { connectionString: instance.databaseUrl }, encryptionKey: KEY, workspaceId: source.id, keepKey: true }, file);
    expect(keyLine(file)).toBe(KEY);
    const target = await emptyDatabase();
    expect((await psqlFile(target, file)).code).toBe(0);
    const tokens = (url: string, schema: string): Promise<unknown[]> =>
      withPg(url, async (c) => (await c.query<Record<string, unknown>>(`SELECT id, client_id, client_secret FROM ${pg.escapeIdentifier(schema)}.fief_oauth_providers ORDER BY id`)).rows);
    expect(await tokens(target, 'public')).toEqual(await tokens(source.databaseUrl, source.schema));
  });

  it('a dump cut anywhere and replayed by plain psql (no -1) leaves no fief_ table', async () => {
    const source = ws('Old chain');
    const file = join(dir, 'whole.sql');
    await exportToFile({ mainDatabase: { connectionString: instance.databaseUrl }, encryptionKey: KEY, workspaceId: source.id }, file);
    const bytes = readFileSync(file);
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
    const file = join(dir, 'pruned.sql');
    await exportToFile(
      { mainDatabase: { connectionString: instance.databaseUrl }, encryptionKey: KEY, workspaceId: source.id, pruneDeadSecrets: true },
      file,
    );
    const target = await emptyDatabase();
    expect((await psqlFile(target, file)).code).toBe(0);
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
    const file = join(dir, 'schema.sql.gz');
    await exportToFile(
      { mainDatabase: { connectionString: instance.databaseUrl }, encryptionKey: KEY, workspaceId: source.id, targetSchema: 'fief data', gzip: true },
      file,
    );
    const plain = join(dir, 'schema.sql');
    writeFileSync(plain, gunzipSync(readFileSync(file)));
    const target = await emptyDatabase();
    expect((await psqlFile(target, plain)).code).toBe(0);
    const [a, b] = await Promise.all([
      withPg(source.databaseUrl, (c) => snapshotSchema(c, source.schema)),
      withPg(target, (c) => snapshotSchema(c, 'fief data')),
    ]);
    expect(b).toEqual(a);
  });

  it('warns on what would trouble Fief ≥ 0.28, and --strict refuses', async () => {
    const source = ws('Needs care');
    const opts = { mainDatabase: { connectionString: instance.databaseUrl }, encryptionKey: KEY, workspaceId: source.id };
    const { warnings } = await exportToFile(opts, join(dir, 'care.sql'));
    expect(warnings.join('\n')).toMatch(/Administrator/);
    expect(warnings.join('\n')).toMatch(/oauth_provider_id, account_id/);
    await expect(exportToFile({ ...opts, strict: true }, join(dir, 'care-strict.sql'))).rejects.toMatchObject({ code: 'PREFLIGHT_FAILED' });
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
    const opts = {
      mainDatabase: { connectionString: instance.databaseUrl },
      encryptionKey: KEY,
      workspaceId: source.id,
      onProgress: (p: { table: string }) => streamed.add(p.table),
      // The in-place pass runs while a table of at least one full run streams: with 64 KiB
      // runs, this workspace's 3 000 audit logs (~750 KB) are such a table.
      runs: new RunPool(64 * 1024),
    };
    await expect(exportToFile(opts, join(dir, 'bad-token.sql'))).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
      message: expect.stringContaining(`fief_oauth_accounts.access_token of row ${last.id} `) as unknown,
    });
    // Found while the first tables streamed, not after every table.
    expect(streamed.has('fief_audit_logs')).toBe(true);
    expect(streamed.has('fief_users')).toBe(false);

    // With the default 1 MB runs no table here is large enough for the pass to run while it
    // streams: the pass finishes after the other tables, and the export still fails there.
    streamed.clear();
    await expect(exportToFile({ ...opts, runs: new RunPool() }, join(dir, 'bad-token-small.sql'))).rejects.toMatchObject({
      code: 'DECRYPT_FAILED',
      message: expect.stringContaining(`fief_oauth_accounts.access_token of row ${last.id} `) as unknown,
    });
    expect(streamed.has('fief_users')).toBe(true);
  });

  it('re-encrypts the token columns a hand-altered schema still has (no refresh_token)', async () => {
    const source = ws('No refresh token');
    const accounts = `${pg.escapeIdentifier(source.schema)}.fief_oauth_accounts`;
    await withPg(source.databaseUrl, (c) => c.query(`ALTER TABLE ${accounts} DROP COLUMN refresh_token`));
    const file = join(dir, 'no-refresh-token.sql');
    await exportToFile({ mainDatabase: { connectionString: instance.databaseUrl }, encryptionKey: KEY, workspaceId: source.id }, file);
    const target = await emptyDatabase();
    const replay = await psqlFile(target, file);
    expect(replay.stderr).toBe('');
    expect(replay.code).toBe(0);

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
    const main = { connectionString: instance.databaseUrl };
    await expect(exportToFile({ mainDatabase: main, encryptionKey: KEY, workspaceId: ws('On MySQL').id }, join(dir, 'x.sql'))).rejects.toMatchObject({
      code: 'WORKSPACE_UNSUPPORTED',
      message: expect.stringMatching(/self-hosted migration/) as unknown,
    });
    await expect(
      exportToFile({ mainDatabase: main, encryptionKey: KEY, workspaceId: '00000000-0000-4000-8000-000000000000' }, join(dir, 'x.sql')),
    ).rejects.toMatchObject({ code: 'WORKSPACE_NOT_FOUND' });
    const outsider = instance.accounts[2]?.sub ?? '';
    await expect(
      exportToFile({ mainDatabase: main, encryptionKey: KEY, workspaceId: ws('Consolidated').id, userSub: outsider }, join(dir, 'x.sql')),
    ).rejects.toMatchObject({ code: 'WORKSPACE_NOT_FOUND' });
    await expect(
      exportToFile({ mainDatabase: main, encryptionKey: generateKey(), workspaceId: ws('Consolidated').id }, join(dir, 'x.sql')),
    ).rejects.toMatchObject({ code: 'DECRYPT_FAILED', message: expect.stringMatching(/fief_oauth_(providers|accounts)\.\w+ of row [0-9a-f-]{36}/) as unknown });
    await expect(
      exportToFile({ mainDatabase: main, encryptionKey: generateKey(), workspaceId: ws('BYOD schema').id }, join(dir, 'x.sql')),
    ).rejects.toMatchObject({ code: 'DECRYPT_FAILED', message: expect.stringMatching(/workspaces\.database_\w+/) as unknown });
  });
});
