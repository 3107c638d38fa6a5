/**
 * The export under real-world stress: a source that keeps changing, a source connection that
 * dies, and a target server of another PostgreSQL major version.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../src/crypto/fernet.js';
import { seedLegacyInstance, type SeededInstance, type SeededWorkspace } from '../src/dev/seed/index.js';
import { openWorkspaceDump } from '../src/dump/index.js';
import { createDatabase } from './helpers/db.js';
import { psqlFile, tempDir, exportToFile } from './helpers/dump.js';
import { startEmbeddedPostgres } from './helpers/pg-server.js';

const KEY = generateKey();
const dir = tempDir();
let instance: SeededInstance;
let workspace: SeededWorkspace;
const drops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const main = await createDatabase('fe_live');
  drops.push(main.drop);
  instance = await seedLegacyInstance({
    databaseUrl: main.url,
    encryptionKey: KEY,
    workspaces: [{ name: 'Busy', variant: 'v0.27', users: 500, auditLogs: 30_000 }],
  });
  const first = instance.workspaces[0];
  if (!first) throw new Error('no workspace');
  workspace = first;
}, 300_000);

afterAll(async () => {
  for (const drop of drops.reverse()) await drop();
});

async function counts(client: pg.Client, schema: string): Promise<{ users: number; logs: number }> {
  const s = pg.escapeIdentifier(schema);
  const { rows } = await client.query<{ users: number; logs: number }>(
    `SELECT (SELECT count(*)::int FROM ${s}.fief_users) AS users, (SELECT count(*)::int FROM ${s}.fief_audit_logs) AS logs`,
  );
  return rows[0] ?? { users: -1, logs: -1 };
}

describe('export consistency', () => {
  it('equals one snapshot while another connection keeps inserting users and audit logs', async () => {
    const writer = new pg.Client({ connectionString: workspace.databaseUrl });
    await writer.connect();
    const s = pg.escapeIdentifier(workspace.schema);
    await writer.query(`SELECT set_config('search_path', $1, false)`, [s]);
    const dump = await openWorkspaceDump({ mainDatabase: { connectionString: instance.databaseUrl }, encryptionKey: KEY, workspaceId: workspace.id });
    // The writer has not started yet, so these are the counts of the export's snapshot.
    const atStart = await counts(writer, workspace.schema);

    let inserted = 0;
    let stop = false;
    const writing = (async () => {
      while (!stop) {
        await writer.query('BEGIN');
        const u = await writer.query<{ id: string }>(
          `INSERT INTO fief_users (id, email, email_lower, email_verified, hashed_password, is_active, tenant_id)
           SELECT gen_random_uuid(), 'w' || n || '@x.test', 'w' || n || '@x.test', true, 'h', true, (SELECT id FROM fief_tenants LIMIT 1)
             FROM (SELECT $1::int AS n) v RETURNING id`,
          [inserted],
        );
        await writer.query(
          `INSERT INTO fief_audit_logs (id, "timestamp", level, message, subject_user_id) VALUES (gen_random_uuid(), now(), 'INFO', 'concurrent', $1)`,
          [u.rows[0]?.id],
        );
        await writer.query('COMMIT');
        inserted++;
      }
    })();

    const file = join(dir, 'busy.sql');
    const out = createWriteStream(file);
    for await (const chunk of dump.stream as AsyncIterable<Buffer>) {
      // Read slowly so the writer commits while the export is mid-way through the tables.
      if (inserted < 200) await new Promise((r) => setTimeout(r, 5));
      if (!out.write(chunk)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    await dump.result;
    stop = true;
    await writing;
    expect(inserted).toBeGreaterThan(0);
    const atEnd = await counts(writer, workspace.schema);
    await writer.end();
    expect(atEnd.users).toBe(atStart.users + inserted);

    const target = await createDatabase('fe_live_target');
    drops.push(target.drop);
    const replay = await psqlFile(target.url, file);
    expect(replay.stderr).toBe(''); // foreign keys were added after the data: integrity holds
    const c = new pg.Client({ connectionString: target.url });
    await c.connect();
    expect(await counts(c, 'public')).toEqual(atStart);
    await c.end();
  });
});

/**
 * The CLI exporting to a pipe that is read once and then no more: backpressure parks the
 * export mid-COPY. Resume reading child.stdout to let it go on.
 */
async function parkedExport(): Promise<{ child: ChildProcessByStdio<null, Readable, Readable>; stderr: () => string; exited: Promise<unknown[]> }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'export', '--database-url', instance.databaseUrl, '--workspace', workspace.id, '-o', '-'],
    { env: { ...process.env, ENCRYPTION_KEY: KEY }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = once(child, 'close');
  await once(child.stdout, 'readable');
  child.stdout.pause();
  return { child, stderr: () => stderr, exited };
}

describe('source connection killed mid-export', () => {
  it('ends the CLI with exit 1 and an error naming the table', async () => {
    const { child, stderr, exited } = await parkedExport();
    const admin = new pg.Client({ connectionString: instance.databaseUrl });
    await admin.connect();
    let killed = 0;
    for (let i = 0; i < 50 && killed === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const { rows } = await admin.query<{ n: number }>(
        `SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
          WHERE application_name = 'fief-exporter' AND datname = current_database() AND pid <> pg_backend_pid()`,
      );
      killed = rows[0]?.n ?? 0;
    }
    await admin.end();
    expect(killed).toBe(1);
    child.stdout.resume();
    child.stdout.on('data', () => undefined);
    const [code] = (await exited) as [number];
    expect(code).toBe(1);
    expect(stderr()).toMatch(/^fief-exporter: export failed while dumping table fief_\w+: /m);
    expect(stderr()).not.toMatch(/\n\s+at /); // no stack trace
  });
});

describe('Ctrl-C mid-export', () => {
  it('stops cleanly on SIGINT: exit 1, one sentence, the source session closed', async () => {
    const { child, stderr, exited } = await parkedExport();
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGINT');
    child.stdout.resume();
    child.stdout.on('data', () => undefined);
    const [code] = (await exited) as [number];
    expect(code).toBe(1);
    expect(stderr()).toMatch(/^fief-exporter: export interrupted \(SIGINT\)$/m);
    expect(stderr()).not.toMatch(/\n\s+at /);
    const admin = new pg.Client({ connectionString: instance.databaseUrl });
    await admin.connect();
    try {
      let left = -1;
      for (let i = 0; i < 20 && left !== 0; i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 100));
        const { rows } = await admin.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'fief-exporter'`);
        left = rows[0]?.n ?? -1;
      }
      expect(left).toBe(0);
    } finally {
      await admin.end();
    }
  });
});

describe('target of another PostgreSQL major version', () => {
  it('loads into embedded PostgreSQL 18 with the same rows', async () => {
    const file = join(dir, 'major.sql');
    await exportToFile({ mainDatabase: { connectionString: instance.databaseUrl }, encryptionKey: KEY, workspaceId: workspace.id }, file);
    const server = await startEmbeddedPostgres(18);
    try {
      const replay = await psqlFile(server.adminUrl, file);
      expect(replay.stderr).toBe('');
      const version = async (url: string): Promise<number> => {
        const c = new pg.Client({ connectionString: url });
        await c.connect();
        const { rows } = await c.query<{ v: string }>(`SELECT current_setting('server_version_num') AS v`);
        await c.end();
        return Math.floor(Number(rows[0]?.v) / 10000);
      };
      expect(await version(server.adminUrl)).toBe(18);
      const target = new pg.Client({ connectionString: server.adminUrl });
      await target.connect();
      const source = new pg.Client({ connectionString: workspace.databaseUrl });
      await source.connect();
      expect(await counts(target, 'public')).toEqual(await counts(source, workspace.schema));
      const fks = await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace`);
      expect(fks.rows[0]?.n).toBe(33);
      await target.end();
      await source.end();
    } finally {
      await server.stop();
    }
  }, 180_000);
});
