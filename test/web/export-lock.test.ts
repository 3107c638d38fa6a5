/**
 * "One export at a time per person" across machines: two `fief-exporter serve` processes on the
 * same legacy database and Fief server, the same person exporting from both → the second gets
 * 429 while the first runs, other people are not affected, and the lock goes with the export.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevIdp, type DevIdp } from '../../src/dev/idp.js';
import { exportLockKey } from '../../src/web/services/export-lock.js';
import { query } from '../helpers/db.js';
import { signedInBrowser } from './helpers/browser-session.js';
import { seedWebFixture, type WebFixture } from './helpers/fixture.js';
import { pausedDownload } from './helpers/raw-download.js';
import { testEnv, twoFreePorts } from './helpers/stack.js';

let fixture: WebFixture;
let idp: DevIdp;
const machines: ChildProcess[] = [];
const urls: string[] = [];

async function ready(url: string, machine: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && machine.exitCode === null) {
    const state = await fetch(`${url}/readyz`).then((r) => r.json() as Promise<{ signIn?: string }>, () => ({ signIn: undefined }));
    if (state.signIn === 'ready') return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not become ready`);
}

beforeAll(async () => {
  fixture = await seedWebFixture({ largeUsers: 12_000 });
  const ports = await twoFreePorts();
  urls.push(...ports.map((p) => `http://127.0.0.1:${p}`));
  const client = { clientId: 'fief-exporter', clientSecret: randomBytes(16).toString('hex') };
  idp = await startDevIdp({ accounts: fixture.accounts, clients: [{ ...client, redirectUris: urls.map((u) => `${u}/auth/callback`) }] });
  // One deployment, two machines: the same settings but for the address each is reached at.
  const shared = testEnv({
    FIEF_BASE_URL: idp.issuer,
    FIEF_CLIENT_ID: client.clientId,
    FIEF_CLIENT_SECRET: client.clientSecret,
    DATABASE_URL: fixture.databaseUrl,
    ENCRYPTION_KEY: fixture.encryptionKey,
    EXPORT_STALL_TIMEOUT: '600',
    LOG_LEVEL: 'warn',
  });
  for (const [i, port] of ports.entries()) {
    const machine = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
      env: { PATH: process.env.PATH ?? '', ...shared, PORT: String(port), PUBLIC_URL: urls[i]! },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    machines.push(machine);
  }
  for (const [i, url] of urls.entries()) await ready(url, machines[i]!);
}, 120_000);

afterAll(async () => {
  for (const machine of machines) {
    if (machine.exitCode !== null) continue;
    const exited = new Promise((resolve) => machine.once('exit', resolve));
    machine.kill('SIGKILL');
    await exited;
  }
  await idp?.close();
});

describe('two machines, one person', () => {
  it('refuses the second export with 429 while the first runs, and takes it once that has ended', async () => {
    const large = fixture.workspaces.find((w) => w.name === 'Grand Dump')!;
    const ile = fixture.workspaces.find((w) => w.name === 'Île-de-France')!;
    const carol = fixture.accounts[2]!.email;
    const [onA, onB] = [await signedInBrowser(urls[0]!, carol), await signedInBrowser(urls[1]!, carol)];
    const bobOnB = await signedInBrowser(urls[1]!, fixture.accounts[1]!.email);

    const running = await pausedDownload(urls[0]!, onA, large.id);
    try {
      for (const id of [large.id, ile.id]) {
        const second = await onB.postExport(id);
        expect(second.status, id).toBe(429);
        expect(second.headers.get('retry-after')).toBe('10');
        expect(await second.text()).toContain('An export is already running');
      }
      // What holds it: Carol's advisory lock, on the first export's own connection.
      const held = await query<{ classid: string; objid: string; application_name: string }>(
        fixture.databaseUrl,
        `SELECT l.classid::bigint AS classid, l.objid::bigint AS objid, a.application_name FROM pg_locks l JOIN pg_stat_activity a USING (pid)
          WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = $1)`,
        [fixture.databaseName],
      );
      const key = BigInt(exportLockKey(fixture.accounts[2]!.sub));
      const carols = held.filter((l) => BigInt.asIntN(64, (BigInt(l.classid) << 32n) | BigInt(l.objid)) === key);
      expect(carols.map((l) => l.application_name)).toEqual(['fief-exporter']);
      // Another person on the same machine is not affected.
      const bob = await bobOnB.postExport(ile.id);
      expect(bob.status).toBe(200);
      expect(await bob.text()).toContain('-- fief-exporter:complete');
    } finally {
      running.destroy();
    }

    // Machine A notices the closed socket and ends the export's connection: the lock goes with it.
    let status = 0;
    const deadline = Date.now() + 15_000;
    while (status !== 200 && Date.now() < deadline) {
      const again = await onB.postExport(ile.id);
      status = again.status;
      await again.arrayBuffer();
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  }, 90_000);
});
