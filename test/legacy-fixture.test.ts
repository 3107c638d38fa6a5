/**
 * The legacy fixture builder is the ground every other test stands on: its schemas must match
 * the catalogs of real Fief databases (expected JSON captured once from pg_dump references),
 * and its data must be complete, hostile where promised, encrypted with the master key, and
 * reproducible.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Fernet, generateKey } from '../src/crypto/fernet.js';
import { seedLegacyInstance, WORKSPACE_TABLE_NAMES, type SeededWorkspace } from '../src/dev/seed/index.js';
import { bigTemplate, BIG_TEMPLATE_BYTES, combinedHostile, hostileValues, RAW_JSON, TENANT_NAME } from '../src/dev/seed/hostile.js';
import { rowDigests, snapshotSchema, tableNames } from './helpers/catalog-snapshot.js';
import { createDatabase, useTestDatabase, withPg } from './helpers/db.js';
import { useLegacyInstance } from './helpers/legacy.js';

const legacy = await useLegacyInstance({
  extraWorkspaces: [{ name: 'On MySQL', byod: { mysql: true } }, { name: 'Duplicates', users: 8, auditLogs: 4, duplicateOAuthAccount: true }],
});
const again = await useTestDatabase('fe_seed_again');
const [mysql, duplicates] = legacy.workspaces.slice(4) as [SeededWorkspace, SeededWorkspace];
const dataWorkspaces = [legacy.cloud, legacy.chain, legacy.byodSchema, legacy.byodPublic];
const expected = (name: string): unknown => JSON.parse(readFileSync(new URL(`./fixtures/legacy-catalog.${name}.json`, import.meta.url), 'utf8'));


/** Runs a query in the workspace's data schema. */
function inWorkspace<R extends pg.QueryResultRow>(w: SeededWorkspace, sql: string, params: unknown[] = []): Promise<R[]> {
  return withPg(w.databaseUrl, async (c) => {
    await c.query(`SET search_path = ${pg.escapeIdentifier(w.schema)}`);
    return (await c.query<R>(sql, params)).rows;
  });
}

const md5 = (s: string): string => createHash('md5').update(s, 'utf8').digest('hex');

describe('schemas match the real legacy Fief catalogs', () => {
  it.each(dataWorkspaces.map((w) => [`${w.variant} in ${w.byod ? 'a BYOD database' : 'the main database'} (${w.schema === 'public' ? 'public' : 'uuid schema'})`, w] as const))(
    '%s',
    async (_label, w) => {
      const snapshot = await withPg(w.databaseUrl, (c) => snapshotSchema(c, w.schema));
      expect(snapshot).toEqual(expected(w.variant));
      expect(snapshot.tables.map((t) => t.name)).toEqual([...WORKSPACE_TABLE_NAMES]);
    },
  );

  it('main schema', async () => {
    const snapshot = await withPg(legacy.databaseUrl, (c) => snapshotSchema(c, 'public'));
    expect(snapshot).toEqual(expected('main'));
    const version = await withPg(legacy.databaseUrl, (c) => c.query<{ v: string }>('SELECT version_num AS v FROM alembic_version'));
    expect(version.rows).toEqual([{ v: 'c8cf076d3ffa' }]);
  });
});

describe('main database rows', () => {
  it('registers Fief Cloud workspaces as Fief did', async () => {
    for (const w of [legacy.cloud, legacy.chain]) {
      const [row] = await withPg(legacy.databaseUrl, async (c) => (await c.query<Record<string, unknown>>('SELECT * FROM workspaces WHERE id = $1', [w.id])).rows);
      expect(row).toMatchObject({
        name: w.name, database_type: null, database_host: null, database_password: null, database_use_schema: false,
        database_table_prefix: 'fief_', alembic_revision: '6c06c7d908a7', users_count: w.rowCounts.fief_users,
      });
      expect(w.schema).toBe(w.id);
      expect(w.rowCounts.fief_users).toBe(40);
    }
  });

  it('gives membership to account 0 everywhere, account 1 in the first workspace, account 2 nowhere', async () => {
    const rows = await withPg(legacy.databaseUrl, async (c) => (await c.query<{ w: string; u: string }>('SELECT workspace_id AS w, user_id AS u FROM workspace_users')).rows);
    const [a0, a1, a2] = legacy.accounts.map((a) => a.sub);
    expect(rows.filter((r) => r.u === a0).map((r) => r.w).sort()).toEqual(legacy.workspaces.map((w) => w.id).sort());
    expect(rows.filter((r) => r.u === a1).map((r) => r.w)).toEqual([legacy.cloud.id]);
    expect(rows.filter((r) => r.u === a2)).toEqual([]);
    expect(legacy.accounts[0]?.email).toBe('anne@example.com');
  });

  it('stores BYOD connections as Fernet tokens that decrypt to a working connection', async () => {
    const fernet = new Fernet(legacy.encryptionKey);
    for (const w of [legacy.byodSchema, legacy.byodPublic]) {
      const [row] = await withPg(legacy.databaseUrl, async (c) => (await c.query<Record<string, string | boolean | null>>('SELECT * FROM workspaces WHERE id = $1', [w.id])).rows);
      expect(row).toMatchObject({ database_type: 'POSTGRESQL', database_use_schema: w.schema !== 'public', database_table_prefix: 'fief_' });
      const dec = (col: string): string => fernet.decryptString(String(row?.[col]));
      expect(dec('database_port')).toMatch(/^\d+$/);
      expect(dec('database_ssl_mode')).toBe('disable');
      // A URL without a password (trust auth) stores NULL, not an encrypted empty string.
      const urlPassword = decodeURIComponent(new URL(w.databaseUrl).password);
      if (urlPassword === '') expect(row?.database_password).toBeNull();
      else expect(dec('database_password')).toBe(urlPassword);
      const password = urlPassword === '' ? undefined : dec('database_password');
      const client = new pg.Client({ host: dec('database_host'), port: Number(dec('database_port')), user: dec('database_username'), password, database: dec('database_name') });
      await client.connect();
      try {
        const schema = row?.database_use_schema === true ? w.id : 'public';
        const r = await client.query<{ v: string }>(`SELECT version_num AS v FROM ${pg.escapeIdentifier(schema)}.fief_alembic_version`);
        expect(r.rows).toEqual([{ v: '6c06c7d908a7' }]);
      } finally {
        await client.end();
      }
    }
  });

  it('registers a MySQL BYOD workspace without data', async () => {
    const fernet = new Fernet(legacy.encryptionKey);
    const [row] = await withPg(legacy.databaseUrl, async (c) => (await c.query<Record<string, string | null>>('SELECT * FROM workspaces WHERE id = $1', [mysql.id])).rows);
    expect(row?.database_type).toBe('MYSQL');
    expect(fernet.decryptString(String(row?.database_name))).toBe(mysql.id);
    expect(await withPg(legacy.databaseUrl, (c) => tableNames(c, mysql.id))).toEqual([]);
    expect(mysql.rowCounts).toEqual({});
  });
});

describe('workspace data', () => {
  it.each(dataWorkspaces.map((w) => [w.variant, w.schema === 'public' ? 'public' : 'uuid', w] as const))('%s/%s: counts match and no table is empty', async (_v, _s, w) => {
    const counts = await withPg(w.databaseUrl, async (c) => {
      const out: Record<string, number> = {};
      for (const t of await tableNames(c, w.schema)) out[t] = (await rowDigests(c, w.schema, t)).count;
      return out;
    });
    expect(counts).toEqual(w.rowCounts);
    for (const [table, n] of Object.entries(counts)) expect(n, table).toBeGreaterThan(0);
    expect(counts.fief_alembic_version).toBe(1);
    expect(counts.fief_audit_logs).toBe(120);
  });

  it('has a value for every fief_userfieldtype', async () => {
    const rows = await inWorkspace<{ type: string; n: number }>(legacy.cloud,
      'SELECT f.type::text AS type, count(v.id)::int AS n FROM fief_user_fields f LEFT JOIN fief_user_field_values v ON v.user_field_id = f.id GROUP BY f.type');
    const types = ['STRING', 'INTEGER', 'BOOLEAN', 'DATE', 'DATETIME', 'CHOICE', 'PHONE_NUMBER', 'ADDRESS', 'TIMEZONE'];
    expect(rows.map((r) => r.type).sort()).toEqual([...types].sort());
    for (const r of rows) expect(r.n, r.type).toBeGreaterThan(0);
  });

  it('keeps hostile values byte for byte', async () => {
    for (const w of [legacy.cloud, legacy.byodPublic]) {
      const hostile = hostileValues(w.id);
      const notes = await inWorkspace<{ v: string | null }>(w, "SELECT v.value_string AS v FROM fief_user_field_values v JOIN fief_user_fields f ON f.id = v.user_field_id WHERE f.slug = 'notes'");
      const values = notes.map((r) => r.v);
      for (const h of hostile) expect(values, h.label).toContain(h.value);
      expect(values).toContain('');
      expect(values).toContain(null);
      expect(values.some((v) => v?.split('\n').includes('\\.'))).toBe(true);

      const logs = await inWorkspace<{ message: string; extra: string | null }>(w, 'SELECT message, extra::text AS extra FROM fief_audit_logs');
      for (const h of hostile) expect(logs.map((l) => l.message), h.label).toContain(h.value);
      expect(logs.map((l) => l.extra)).toContain(RAW_JSON);
      expect(logs.map((l) => l.extra)).toContain(JSON.stringify({ value: w.id, label: 'schema-name' }));

      const [base] = await inWorkspace<{ n: number; md5: string }>(w, "SELECT octet_length(content) AS n, md5(content) AS md5 FROM fief_email_templates WHERE type = 'BASE'");
      expect(base?.n).toBeGreaterThanOrEqual(BIG_TEMPLATE_BYTES);
      expect(base?.md5).toBe(md5(bigTemplate(w.id)));
      const [welcome] = await inWorkspace<{ subject: string }>(w, "SELECT subject FROM fief_email_templates WHERE type = 'WELCOME'");
      expect(welcome?.subject).toBe(combinedHostile(w.id));
      const tenants = await inWorkspace<{ name: string }>(w, 'SELECT name FROM fief_tenants');
      expect(tenants.map((t) => t.name)).toContain(TENANT_NAME);
      const [log] = await inWorkspace<{ payload: string; response: string | null; error_message: string | null }>(w,
        'SELECT payload, response, error_message FROM fief_webhook_logs WHERE payload = $1', [combinedHostile(w.id)]);
      expect(log).toEqual({ payload: combinedHostile(w.id), response: '', error_message: null });
    }
  });

  it('encrypts OAuth secrets and tokens with the master key', async () => {
    const fernet = new Fernet(legacy.encryptionKey);
    const wrong = new Fernet(generateKey());
    for (const w of dataWorkspaces) {
      const providers = await inWorkspace<{ client_id: string; client_secret: string; provider: string }>(w, 'SELECT provider, client_id, client_secret FROM fief_oauth_providers ORDER BY provider');
      expect(providers).toHaveLength(3);
      const secrets = providers.map((p) => fernet.decryptString(p.client_secret));
      for (const p of providers) expect(fernet.decryptString(p.client_id)).toContain('.apps.example.com');
      expect(secrets).toContain(combinedHostile(w.id));
      expect(() => wrong.decrypt(providers[0]!.client_secret)).toThrow(/HMAC/);

      const accounts = await inWorkspace<{ access_token: string; refresh_token: string | null; user_id: string | null }>(w, 'SELECT access_token, refresh_token, user_id FROM fief_oauth_accounts');
      for (const a of accounts) {
        expect(fernet.decryptString(a.access_token)).toMatch(/^ya29\.[0-9a-f]{64}$/);
        if (a.refresh_token !== null) expect(fernet.decryptString(a.refresh_token)).toMatch(/^1\/\/[0-9a-f]{64}$/);
      }
      expect(accounts.some((a) => a.refresh_token === null)).toBe(true);
      expect(accounts.some((a) => a.user_id === null)).toBe(true);
      // sign_jwk and client secrets stay in clear, as in Fief.
      const [tenant] = await inWorkspace<{ sign_jwk: string }>(w, 'SELECT sign_jwk FROM fief_tenants WHERE "default"');
      expect(JSON.parse(tenant!.sign_jwk)).toMatchObject({ kty: 'RSA', e: 'AQAB' });
    }
  });

  it('keeps foreign keys valid and OAuth accounts unique unless asked otherwise', async () => {
    for (const w of dataWorkspaces) {
      const fks = await withPg(w.databaseUrl, async (c) => (await c.query<{ n: number; valid: boolean }>(
        `SELECT count(*)::int AS n, bool_and(convalidated) AS valid FROM pg_constraint co JOIN pg_namespace n ON n.oid = co.connamespace
          WHERE n.nspname = $1 AND co.contype = 'f'`, [w.schema])).rows[0]);
      const catalog = expected(w.variant) as { tables: { constraints: { type: string }[] }[] };
      const declared = catalog.tables.flatMap((t) => t.constraints).filter((c) => c.type === 'f').length;
      expect(fks).toEqual({ n: declared, valid: true });
      const dup = await inWorkspace(w, 'SELECT oauth_provider_id, account_id FROM fief_oauth_accounts WHERE user_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1');
      expect(dup).toEqual([]);
    }
    const dup = await inWorkspace(duplicates, 'SELECT oauth_provider_id, account_id FROM fief_oauth_accounts WHERE user_id IS NOT NULL GROUP BY 1, 2 HAVING count(*) > 1');
    expect(dup).toHaveLength(1);
  });

  it('creates a role named Administrator only when asked', async () => {
    const named = (w: SeededWorkspace) => inWorkspace(w, "SELECT 1 FROM fief_roles WHERE name = 'Administrator'");
    expect(await named(legacy.chain)).toHaveLength(1);
    expect(await named(legacy.cloud)).toHaveLength(0);
  });
});

describe('determinism', () => {
  it('reproduces the same rows (ciphertexts included) from the same seed and key', async () => {
    const copy = await seedLegacyInstance({
      databaseUrl: again.url, encryptionKey: legacy.encryptionKey, seed: 1,
      workspaces: [{ variant: 'v0.27', users: 40, auditLogs: 120, hostile: true }],
    });
    const w = copy.workspaces[0]!;
    expect(w.id).toBe(legacy.cloud.id);
    for (const table of WORKSPACE_TABLE_NAMES) {
      const a = await withPg(legacy.databaseUrl, (c) => rowDigests(c, legacy.cloud.schema, table));
      const b = await withPg(again.url, (c) => rowDigests(c, w.schema, table));
      expect(b, table).toEqual(a);
    }
    const other = await createDatabase('fe_seed_other');
    try {
      const changed = await seedLegacyInstance({ databaseUrl: other.url, encryptionKey: legacy.encryptionKey, seed: 2, workspaces: [{ users: 40 }] });
      expect(changed.workspaces[0]?.id).not.toBe(legacy.cloud.id);
    } finally {
      await other.drop();
    }
  });
});
