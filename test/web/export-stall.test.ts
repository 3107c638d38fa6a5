/**
 * Clients that start a download and stop reading (socket paused, no FIN), over real sockets and
 * a real legacy fixture: the export is cut after EXPORT_STALL_TIMEOUT, its backend leaves
 * pg_stat_activity, its slot is freed and it is audited `stalled`; EXPORT_MAX_SECONDS bounds a
 * whole download; HEAD never starts an export.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser } from './helpers/browser-session.js';
import { pausedDownload } from './helpers/raw-download.js';
import { seedWebFixture, settledBackends, type WebFixture } from './helpers/fixture.js';
import { accessTokenFor } from './helpers/oidc-flow.js';
import { onFixture, startStack, waitFor, type Stack } from './helpers/stack.js';

let fixture: WebFixture;
beforeAll(async () => {
  // Large enough that a paused reader fills every buffer on the way (kernel and Node) and the
  // export really waits on it.
  fixture = await seedWebFixture({ largeUsers: 12_000 });
});

const audits = (stack: Stack, outcome: string) => stack.logs.entries().filter((e) => e.audit === 'export' && e.outcome === outcome);

describe('a client that stops reading', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ ...onFixture(fixture), env: { EXPORT_CONCURRENCY: '1', EXPORT_STALL_TIMEOUT: '2' } });
  });
  afterAll(() => stack?.close());

  it('is cut off after EXPORT_STALL_TIMEOUT: backend gone, slot free, audited stalled', async () => {
    const large = fixture.workspaces.find((w) => w.name === 'Grand Dump')!;
    const small = fixture.workspaces.find((w) => w.name === 'Bretagne')!;
    const carol = await signedInBrowser(stack.appUrl, fixture.accounts[2]!.email);
    const anne = await signedInBrowser(stack.appUrl, fixture.accounts[0]!.email);

    const socket = await pausedDownload(stack.appUrl, carol, large.id);
    try {
      // The stalled download holds the only slot for now.
      const busy = await anne.postExport(small.id);
      expect(busy.status).toBe(429);
      await busy.arrayBuffer();

      await waitFor(() => audits(stack, 'stalled').length === 1, 20_000);
      expect(stack.app.exporter.slots.active).toBe(0);
      expect(await settledBackends(fixture)).toBe(0);

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

  it('leaves a client that reads in bursts alone', async () => {
    const large = fixture.workspaces.find((w) => w.name === 'Grand Dump')!;
    const carol = await signedInBrowser(stack.appUrl, fixture.accounts[2]!.email);
    const socket = await pausedDownload(stack.appUrl, carol, large.id);
    try {
      // Reads for 50 ms out of every 500 ms, for three times the stall timeout.
      for (let i = 0; i < 12 && !socket.destroyed; i++) {
        socket.resume();
        await new Promise((r) => setTimeout(r, 50));
        socket.pause();
        await new Promise((r) => setTimeout(r, 450));
      }
      expect(audits(stack, 'stalled')).toHaveLength(1); // the first test's only
    } finally {
      socket.destroy();
    }
    await waitFor(() => stack.app.exporter.slots.active === 0);
  }, 30_000);

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
    const stack = await startStack({ ...onFixture(fixture), env: { EXPORT_STALL_TIMEOUT: '600', EXPORT_MAX_SECONDS: '2' } });
    try {
      const large = fixture.workspaces.find((w) => w.name === 'Grand Dump')!;
      const carol = await signedInBrowser(stack.appUrl, fixture.accounts[2]!.email);
      const socket = await pausedDownload(stack.appUrl, carol, large.id);
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
