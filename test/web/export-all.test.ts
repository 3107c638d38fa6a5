/**
 * Every workspace of a person as one zip, over real HTTP against a real legacy fixture: the
 * Export all my workspaces form (CSRF), GET /api/export (Bearer), one export slot for the whole
 * archive, and a download cut mid-stream leaves no PostgreSQL backend behind.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from '../helpers/dump.js';
import { signedInBrowser, type SignedIn } from './helpers/browser-session.js';
import { exporterBackends, seedWebFixture, settledBackends, type WebFixture } from './helpers/fixture.js';
import { accessTokenFor } from './helpers/oidc-flow.js';
import { SCRIPT_CLIENT, startStack, waitFor, type Stack } from './helpers/stack.js';

let fixture: WebFixture;
let stack: Stack;
let anne: SignedIn;
let carol: SignedIn;
const dir = tempDir('fe-web-all-');

beforeAll(async () => {
  fixture = await seedWebFixture({ largeUsers: 3000 });
  stack = await startStack({ accounts: fixture.accounts, databaseUrl: fixture.databaseUrl, encryptionKey: fixture.encryptionKey, env: { API_CLIENT_IDS: SCRIPT_CLIENT.clientId } });
  anne = await signedInBrowser(stack.appUrl, fixture.accounts[0]!.email);
  carol = await signedInBrowser(stack.appUrl, fixture.accounts[2]!.email);
}, 120_000);
afterAll(() => stack.close());

const postAll = (who: SignedIn, fields: Record<string, string> = { _csrf: who.csrf }, signal?: AbortSignal) =>
  who.postForm('/workspaces/export', fields, {}, signal);

async function entriesOf(response: Response, name: string): Promise<string[]> {
  const path = join(dir, name);
  writeFileSync(path, Buffer.from(await response.arrayBuffer()));
  const tested = await run('unzip', ['-t', path]);
  expect(tested.code, tested.stdout).toBe(0);
  return (await run('unzip', ['-Z1', path])).stdout.trim().split('\n').sort();
}

const namesOf = (sub: string) =>
  fixture.workspaces.filter((w) => w.members.includes(sub)).map((w) => `fief_dump_${w.name.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z0-9._-]+/g, '_')}.sql`);

describe('Export all my workspaces', () => {
  it('offers the button and answers the form with fief_workspaces_<date>.zip of exactly my workspaces', async () => {
    const page = (await anne.get('/workspaces')).text;
    expect(page).toMatch(/<form method="post" action="\/workspaces\/export"[^>]*>\s*<input type="hidden" name="_csrf" value="[^"]+">\s*<button type="submit"[^>]*>Export all my workspaces<\/button>/);

    const response = await postAll(anne);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="fief_workspaces_\d{4}-\d{2}-\d{2}\.zip"$/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const entries = await entriesOf(response, 'anne.zip');
    expect(entries).toEqual([...namesOf(fixture.accounts[0]!.sub), 'README.txt', 'manifest.json'].sort());
    await waitFor(() => stack.logs.entries().some((e) => e.audit === 'export' && e.outcome === 'completed' && e.sub === fixture.accounts[0]!.sub));
    const audit = stack.logs.entries().find((e) => e.audit === 'export' && e.outcome === 'completed' && e.sub === fixture.accounts[0]!.sub)!;
    expect(audit).toMatchObject({ workspaceId: null, workspaceCount: 2, via: 'web' });
  });

  it('refuses the form without its CSRF token', async () => {
    expect((await postAll(anne, {})).status).toBe(403);
    expect((await postAll(anne, { _csrf: carol.csrf })).status).toBe(403);
  });

  it('GET /api/export gives the same zip to a Bearer token, and 401 without one', async () => {
    const token = await accessTokenFor(stack.config.fiefBaseUrl, SCRIPT_CLIENT, fixture.accounts[1]!.email);
    const response = await fetch(`${stack.appUrl}/api/export`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    expect(await entriesOf(response, 'bob.zip')).toEqual([...namesOf(fixture.accounts[1]!.sub), 'README.txt', 'manifest.json'].sort());
    expect((await fetch(`${stack.appUrl}/api/export`)).status).toBe(401);
    // The browser's cookie is no credential for the API.
    expect((await anne.get('/api/export')).status).toBe(401);
  });

  it('holds one export slot for the whole archive, and a cut download leaves no backend behind', async () => {
    const aborted = () => stack.logs.entries().filter((e) => e.audit === 'export' && e.outcome === 'aborted' && e.sub === fixture.accounts[2]!.sub).length;
    for (let i = 0; i < 5; i++) {
      const controller = new AbortController();
      const response = await postAll(carol, { _csrf: carol.csrf }, controller.signal);
      expect(response.status).toBe(200);
      const reader = response.body!.getReader();
      expect((await reader.read()).done).toBe(false);
      // While the archive streams, the same person cannot start another export of any kind.
      const grand = fixture.workspaces.find((w) => w.name === 'Grand Dump')!;
      expect((await carol.postExport(grand.id)).status).toBe(429);
      expect((await postAll(carol)).status).toBe(429);
      controller.abort();
      await reader.cancel().catch(() => undefined);
      await waitFor(() => aborted() === i + 1);
    }
    await waitFor(() => stack.app.exporter.slots.active === 0);
    expect(await settledBackends(fixture)).toBe(0);

    const complete = await postAll(carol);
    expect(complete.status).toBe(200);
    expect(await entriesOf(complete, 'carol.zip')).toEqual([...namesOf(fixture.accounts[2]!.sub), 'README.txt', 'manifest.json'].sort());
    expect(await exporterBackends(fixture)).toBe(0);
  }, 120_000);

  it('answers 404 to someone who is a member of no workspace, and shows them no button', async () => {
    const dave = await signedInBrowser(stack.appUrl, fixture.accounts[3]!.email);
    expect((await dave.get('/workspaces')).text).not.toContain('Export all my workspaces');
    expect((await postAll(dave)).status).toBe(404);
    const token = await accessTokenFor(stack.config.fiefBaseUrl, SCRIPT_CLIENT, fixture.accounts[3]!.email);
    expect((await fetch(`${stack.appUrl}/api/export`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });
});
