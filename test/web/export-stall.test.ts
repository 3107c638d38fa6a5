/**
 * Clients that start a download and stop reading (socket paused, no FIN), over real sockets and
 * a real legacy fixture: the export is cut after EXPORT_STALL_TIMEOUT, its backend leaves
 * pg_stat_activity, its slot is freed and it is audited `stalled`; EXPORT_MAX_SECONDS bounds a
 * whole download; HEAD never starts an export.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../helpers/db.js';
import { signedInBrowser, type SignedIn } from './helpers/browser-session.js';
import { seedWebFixture, type WebFixture } from './helpers/fixture.js';
import { accessTokenFor } from './helpers/oidc-flow.js';
import { startStack, waitFor, type Stack } from './helpers/stack.js';

let fixture: WebFixture;
beforeAll(async () => {
  // Large enough that a paused reader fills every buffer on the way (kernel and Node) and the
  // export really waits on it.
  fixture = await seedWebFixture({ largeUsers: 12_000 });
});

async function exporterBackends(): Promise<number> {
  const rows = await query<{ n: string }>(
    fixture.databaseUrl,
    `SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = $1 AND pid <> pg_backend_pid() AND application_name IS DISTINCT FROM 'fief-exporter-web'`,
    [fixture.databaseName],
  );
  return Number(rows[0]?.n);
}

/** Starts an export over a raw socket, waits for the 200 and some bytes, then stops reading. */
async function stalledDownload(stack: Stack, browser: SignedIn, workspaceId: string): Promise<net.Socket> {
  const body = new URLSearchParams({ _csrf: browser.csrf }).toString();
  const socket = net.connect({ host: '127.0.0.1', port: new URL(stack.appUrl).port ? Number(new URL(stack.appUrl).port) : 80 });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  socket.write(
    [
      `POST /workspaces/${workspaceId}/export HTTP/1.1`,
      `Host: ${new URL(stack.appUrl).host}`,
      `Cookie: ${browser.jar.header()}`,
      'Content-Type: application/x-www-form-urlencoded',
      `Content-Length: ${Buffer.byteLength(body)}`,
      '',
      body,
    ].join('\r\n'),
  );
  let head = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (head.length > 64 * 1024) {
        socket.off('data', onData);
        socket.pause();
        resolve();
      }
    };
    socket.on('data', onData);
    socket.once('close', () => reject(new Error(`closed early: ${head.slice(0, 200)}`)));
  });
  expect(head.startsWith('HTTP/1.1 200')).toBe(true);
  return socket;
}

const audits = (stack: Stack, outcome: string) => stack.logs.entries().filter((e) => e.audit === 'export' && e.outcome === outcome);

describe('a client that stops reading', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      accounts: fixture.accounts,
      databaseUrl: fixture.databaseUrl,
      encryptionKey: fixture.encryptionKey,
      env: { EXPORT_CONCURRENCY: '1', EXPORT_STALL_TIMEOUT: '2' },
    });
  });
  afterAll(() => stack?.close());

  it('is cut off after EXPORT_STALL_TIMEOUT: backend gone, slot free, audited stalled', async () => {
    const large = fixture.workspaces.find((w) => w.name === 'Grand Dump')!;
    const small = fixture.workspaces.find((w) => w.name === 'Bretagne')!;
    const carol = await signedInBrowser(stack.appUrl, fixture.accounts[2]!.email);
    const anne = await signedInBrowser(stack.appUrl, fixture.accounts[0]!.email);

    const socket = await stalledDownload(stack, carol, large.id);
    try {
      // The stalled download holds the only slot for now.
      const busy = await anne.postExport(small.id);
      expect(busy.status).toBe(429);
      await busy.arrayBuffer();

      await waitFor(() => audits(stack, 'stalled').length === 1, 20_000);
      expect(stack.app.exporter.slots.active).toBe(0);
      const deadline = Date.now() + 10_000;
      let backends = await exporterBackends();
      while (backends > 0 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 100));
        backends = await exporterBackends();
      }
      expect(backends).toBe(0);

      const next = await anne.postExport(small.id);
      expect(next.status).toBe(200);
      expect(await next.text()).toContain('-- fief-exporter:complete');
      const stalled = audits(stack, 'stalled')[0]!;
      expect(stalled).toMatchObject({ sub: fixture.accounts[2]!.sub, workspaceId: large.id, via: 'web' });
      expect(stalled.bytes as number).toBeGreaterThan(0);
      expect(stalled.durationMs as number).toBeGreaterThanOrEqual(2000);
    } finally {
      socket.destroy();
    }
  }, 60_000);

  it('never starts an export for HEAD', async () => {
    const small = fixture.workspaces.find((w) => w.name === 'Bretagne')!;
    const client = { clientId: stack.config.fiefClientId, clientSecret: stack.clientSecret, redirectUri: `${stack.appUrl}/auth/callback` };
    const token = await accessTokenFor(stack.config.fiefBaseUrl, client, fixture.accounts[0]!.email);
    const before = stack.logs.entries().filter((e) => e.audit === 'export').length;
    const head = await fetch(`${stack.appUrl}/api/workspaces/${small.id}/export`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
    expect(head.status).toBe(405);
    expect(head.headers.get('allow')).toBe('GET');
    expect(stack.app.exporter.slots.active).toBe(0);
    expect(stack.logs.entries().filter((e) => e.audit === 'export').length).toBe(before);
  });
});

describe('EXPORT_MAX_SECONDS', () => {
  it('ends a download that runs longer, audited timed_out', async () => {
    const stack = await startStack({
      accounts: fixture.accounts,
      databaseUrl: fixture.databaseUrl,
      encryptionKey: fixture.encryptionKey,
      env: { EXPORT_STALL_TIMEOUT: '600', EXPORT_MAX_SECONDS: '2' },
    });
    try {
      const large = fixture.workspaces.find((w) => w.name === 'Grand Dump')!;
      const carol = await signedInBrowser(stack.appUrl, fixture.accounts[2]!.email);
      const socket = await stalledDownload(stack, carol, large.id);
      try {
        await waitFor(() => audits(stack, 'timed_out').length === 1, 20_000);
        expect(audits(stack, 'stalled')).toHaveLength(0);
        await waitFor(() => stack.app.exporter.slots.active === 0);
      } finally {
        socket.destroy();
      }
    } finally {
      await stack.close();
    }
  }, 60_000);
});
