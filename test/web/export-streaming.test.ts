/**
 * Downloads against a real legacy fixture: browsers that give up mid-stream must not leave a
 * PostgreSQL backend behind, and the exporter must keep working afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, type SignedIn } from './helpers/browser-session.js';
import { exporterBackends, seedWebFixture, settledBackends, type WebFixture } from './helpers/fixture.js';
import { startStack, waitFor, type Stack } from './helpers/stack.js';

let fixture: WebFixture;
let stack: Stack;
let carol: SignedIn;

beforeAll(async () => {
  fixture = await seedWebFixture({ largeUsers: 3000 });
  stack = await startStack({ accounts: fixture.accounts, databaseUrl: fixture.databaseUrl, encryptionKey: fixture.encryptionKey });
  carol = await signedInBrowser(stack.appUrl, fixture.accounts[2]!.email);
});
afterAll(() => stack.close());

const aborted = () => stack.logs.entries().filter((e) => e.audit === 'export' && e.outcome === 'aborted').length;

describe('aborted downloads', () => {
  it('100 downloads aborted mid-stream leave no backend, and the next export succeeds', async () => {
    const large = fixture.workspaces.find((w) => w.name === 'Grand Dump')!;
    for (let i = 0; i < 100; i++) {
      const controller = new AbortController();
      const response = await carol.postForm(`/workspaces/${large.id}/export`, { _csrf: carol.csrf }, {}, controller.signal);
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      const first = await reader.read();
      expect(first.done).toBe(false);
      controller.abort();
      await reader.cancel().catch(() => undefined);
      // The server notices the closed socket asynchronously; its audit line marks the slot free.
      await waitFor(() => aborted() === i + 1);
    }
    await waitFor(() => stack.app.exporter.slots.active === 0);
    expect(await settledBackends(fixture)).toBe(0);

    const audits = stack.logs.entries().filter((e) => e.audit === 'export' && e.outcome === 'aborted');
    expect(audits).toHaveLength(100);
    for (const a of audits) expect(a.bytes as number).toBeGreaterThan(0);

    const complete = await carol.postExport(large.id);
    expect(complete.status).toBe(200);
    const text = await complete.text();
    expect(text).toContain('-- fief-exporter:complete');
    const fullSize = Buffer.byteLength(text);
    for (const a of audits) expect(a.bytes as number).toBeLessThan(fullSize);
    await waitFor(() => stack.logs.entries().some((e) => e.audit === 'export' && e.outcome === 'completed'));
    const done = stack.logs.entries().find((e) => e.audit === 'export' && e.outcome === 'completed')!;
    expect(done).toMatchObject({ sub: fixture.accounts[2]!.sub, workspaceId: large.id, workspaceName: 'Grand Dump', bytes: fullSize, via: 'web' });
    expect(await exporterBackends(fixture)).toBe(0);
  }, 180_000);
});

describe('readiness', () => {
  it('is ready while the main database answers', async () => {
    const response = await fetch(`${stack.appUrl}/readyz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ready', database: 'ok', signIn: 'ready' });
  });
});
