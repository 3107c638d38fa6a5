/**
 * `fief-exporter dev seed` as a person runs it (a real process): it creates the database when
 * missing, prints the generated key, and turns bad input into one sentence with the right exit code.
 */
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { Fernet, generateKey } from '../src/crypto/fernet.js';
import { adminUrl, query, urlFor } from './helpers/db.js';
import { run as runProcess, type ProcessResult } from './helpers/dump.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const created: string[] = [];

afterAll(async () => {
  for (const name of created) await query(adminUrl(), `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
});

/** Without ENCRYPTION_KEY in its environment unless `env` sets one. */
function run(args: string[], env: Record<string, string> = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'dev', 'seed', ...args], null, {
    cwd: root,
    env: { ...process.env, FIEF_EXPORTER_DEBUG: '', ENCRYPTION_KEY: '', ...env },
  });
}

/** A database name that does not exist yet, dropped after the file's tests. */
function freshName(): string {
  const name = `fe_test_devseed_${randomBytes(5).toString('hex')}`;
  created.push(name);
  return name;
}

function expectOneSentence(stderr: string): void {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^fief-exporter: /);
  expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('dev seed', () => {
  it('creates the database, seeds it and prints the generated key', async () => {
    const name = freshName();
    const r = await run(['--database-url', urlFor(name), '--workspaces', '3', '--users', '30', '--audit-logs', '50']);
    expect(r.stderr).toContain('created database');
    expect(r.code).toBe(0);
    const key = /^ENCRYPTION_KEY=(\S{44})$/m.exec(r.stdout)?.[1];
    expect(key).toBeDefined();
    const rows = await query<{ id: string; users_count: number }>(urlFor(name), 'SELECT id, users_count FROM workspaces ORDER BY name');
    expect(rows).toHaveLength(3);
    for (const w of rows) {
      expect(r.stdout).toContain(w.id);
      expect(w.users_count).toBe(30);
      const [n] = await query<{ n: number }>(urlFor(name), `SELECT count(*)::int AS n FROM ${pg.escapeIdentifier(w.id)}.fief_audit_logs`);
      expect(n?.n).toBe(50);
    }
  });

  it('uses the given key and does not print it', async () => {
    const name = freshName();
    const key = generateKey();
    const r = await run(['--database-url', urlFor(name), '--encryption-key', key, '--workspaces', '1', '--users', '20', '--hostile']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(key);
    expect(r.stdout).not.toContain('ENCRYPTION_KEY');
  });

  it('takes the key from ENCRYPTION_KEY, as the export will, and does not print it', async () => {
    const name = freshName();
    const key = generateKey();
    const r = await run(['--database-url', urlFor(name), '--workspaces', '1', '--users', '5'], { ENCRYPTION_KEY: key });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('ENCRYPTION_KEY');
    const [w] = await query<{ id: string }>(urlFor(name), 'SELECT id::text AS id FROM workspaces');
    const secrets = await query<{ client_secret: string }>(urlFor(name), `SELECT client_secret FROM ${pg.escapeIdentifier(w?.id ?? '')}.fief_oauth_providers`);
    expect(secrets.length).toBeGreaterThan(0);
    for (const s of secrets) expect(() => new Fernet(key).decryptString(s.client_secret)).not.toThrow();
  });

  it('refuses a database that already holds a main schema', async () => {
    const name = freshName();
    expect((await run(['--database-url', urlFor(name), '--workspaces', '1', '--users', '1'])).code).toBe(0);
    const r = await run(['--database-url', urlFor(name), '--workspaces', '1']);
    expect(r.code).toBe(1);
    expectOneSentence(r.stderr);
    expect(r.stderr).toContain('already holds a legacy Fief main schema');
  });

  it.each([
    ['an unreachable server', ['--database-url', 'postgres://postgres@127.0.0.1:1/nowhere']],
    ['an invalid master key', ['--database-url', 'postgres://postgres@127.0.0.1:1/nowhere', '--encryption-key', 'not-a-key']],
  ])('exits 1 with one sentence on %s', async (_label, args) => {
    const r = await run(args);
    expect(r.code).toBe(1);
    expectOneSentence(r.stderr);
    expect(r.stdout).toBe('');
  });

  it.each([
    ['a malformed URL', ['--database-url', 'not a url']],
    ['a non-postgres URL', ['--database-url', 'mysql://root@localhost/fief']],
  ])('exits 2 (a usage mistake, as in every command) with one sentence on %s', async (_label, args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expectOneSentence(r.stderr);
    expect(r.stdout).toBe('');
  });

  it('names the bad key without echoing it', async () => {
    const r = await run(['--database-url', 'postgres://postgres@127.0.0.1:1/nowhere', '--encryption-key', 'c2VjcmV0LWJ1dC13cm9uZw==']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('encryption key');
    expect(r.stderr).not.toContain('c2VjcmV0LWJ1dC13cm9uZw==');
  });

  it.each([
    ['an unknown option', ['--database-url', 'postgres://x@127.0.0.1/db', '--frobnicate']],
    ['a missing --database-url', ['--users', '10']],
    ['a non-numeric --users', ['--database-url', 'postgres://x@127.0.0.1/db', '--users', 'many']],
  ])('exits 2 on %s', async (_label, args) => {
    const r = await run(args);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});
