/**
 * The authorization matrix over the shared legacy fixture (test/helpers/legacy.ts: Cloud and
 * bring-your-own-database workspaces, both schema variants, hostile data), plus a non-ASCII name
 * and a MySQL workspace: every account × every workspace × every route. Members get their
 * workspaces; everyone else gets the very same 404 as for a workspace that does not exist.
 * Plus: non-UUID ids, no session / no token, and CSRF.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInBrowser, withoutRequestId, type SignedIn } from './helpers/browser-session.js';
import { useLegacyInstance, type LegacyFixture } from '../helpers/legacy.js';
import { accessTokenFor } from './helpers/oidc-flow.js';
import { SCRIPT_CLIENT, startStack, type Stack } from './helpers/stack.js';

let fixture: LegacyFixture;
let stack: Stack;
const browsers = new Map<string, SignedIn>();
const tokens = new Map<string, string>();
const bodies: string[] = [];

beforeAll(async () => {
  fixture = await useLegacyInstance({
    users: 20,
    auditLogs: 40,
    extraWorkspaces: [
      { name: 'Île-de-France', users: 10, members: [1, 2] },
      { name: 'Ailleurs', byod: { mysql: true }, members: [0] },
    ],
  });
  stack = await startStack({ accounts: fixture.accounts, databaseUrl: fixture.databaseUrl, encryptionKey: fixture.encryptionKey, env: { API_CLIENT_IDS: SCRIPT_CLIENT.clientId } });
  for (const account of fixture.accounts) {
    browsers.set(account.sub, await signedInBrowser(stack.appUrl, account.email));
    tokens.set(account.sub, await accessTokenFor(stack.config.fiefBaseUrl, SCRIPT_CLIENT, account.email));
  }
});
afterAll(() => stack?.close());

async function keep(response: Response | string): Promise<string> {
  const text = typeof response === 'string' ? response : await response.text();
  bodies.push(text);
  return text;
}

describe('every account × every workspace × every route', () => {
  it('lists exactly the member workspaces, on the page and in the API', async () => {
    for (const account of fixture.accounts) {
      const mine = fixture.workspaces.filter((w) => w.members.includes(account.sub));
      const others = fixture.workspaces.filter((w) => !w.members.includes(account.sub));
      const browser = browsers.get(account.sub)!;
      const html = await keep((await browser.get('/workspaces')).text);
      for (const w of mine) expect(html).toContain(`/workspaces/${w.id}/export`);
      for (const w of others) expect(html).not.toContain(w.id);
      if (mine.length === 0) expect(html).toContain('No workspaces');

      const api = await fetch(`${stack.appUrl}/api/workspaces`, { headers: { authorization: `Bearer ${tokens.get(account.sub)}` } });
      expect(api.status).toBe(200);
      const listed = (JSON.parse(await keep(api)) as { workspaces: { id: string; name: string; usersCount: number }[] }).workspaces;
      expect(listed.map((w) => w.id).sort()).toEqual(mine.map((w) => w.id).sort());
      for (const w of listed) expect(w.usersCount).toBe(fixture.workspaces.find((f) => f.id === w.id)!.rowCounts.fief_users ?? 0);
    }
  });

  it('exports member workspaces and answers 404 for the others, exactly as for a missing one', async () => {
    const missing = randomUUID();
    const reference = await signedInBrowser(stack.appUrl, fixture.accounts[0]!.email);
    const missingPage = withoutRequestId(await keep(await reference.postExport(missing)));
    const missingApi = await keep(await fetch(`${stack.appUrl}/api/workspaces/${missing}/export`, { headers: { authorization: `Bearer ${tokens.get(fixture.accounts[0]!.sub)}` } }));

    for (const account of fixture.accounts) {
      const browser = browsers.get(account.sub)!;
      for (const workspace of fixture.workspaces) {
        const member = workspace.members.includes(account.sub);
        // One export at a time per person: read each download to its end before the next.
        const page = await browser.postExport(workspace.id);
        const pageBody = await keep(page);
        const api = await fetch(`${stack.appUrl}/api/workspaces/${workspace.id}/export`, { headers: { authorization: `Bearer ${tokens.get(account.sub)}` } });
        const apiBody = await keep(api);
        const what = `${account.email} → ${workspace.name}`;
        if (member && workspace.name === 'Ailleurs') {
          // MySQL bring-your-own-database workspaces cannot be dumped to PostgreSQL: said before the first byte.
          expect(page.status, what).toBe(409);
          expect(api.status, what).toBe(409);
          expect(pageBody).toContain('This workspace cannot be exported here');
        } else if (member) {
          expect(page.status, what).toBe(200);
          expect(api.status, what).toBe(200);
          expect(page.headers.get('content-disposition'), what).toMatch(/^attachment; filename="fief_dump_[A-Za-z0-9._-]+\.sql"/);
          expect(page.headers.get('cache-control')).toBe('no-store');
          expect(pageBody.split('\n')[0]).toMatch(/^-- ENCRYPTION_KEY=[A-Za-z0-9_-]{43}=$/);
          expect(pageBody).toContain('-- fief-exporter:complete');
          expect(apiBody).toContain('-- fief-exporter:complete');
        } else {
          expect(page.status, what).toBe(404);
          expect(api.status, what).toBe(404);
          expect(withoutRequestId(pageBody), what).toBe(missingPage);
          expect(apiBody, what).toBe(missingApi);
        }
      }
    }
  });

  it('names a non-ASCII workspace with an ASCII fallback and an RFC 5987 filename*', async () => {
    const ile = fixture.workspaces.find((w) => w.name === 'Île-de-France')!;
    const response = await browsers.get(ile.members[0]!)!.postExport(ile.id, { _csrf: browsers.get(ile.members[0]!)!.csrf, gzip: 'on' });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/gzip');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="fief_dump_Ile-de-France.sql.gz"; filename*=UTF-8''fief_dump_%C3%8Ele-de-France.sql.gz`,
    );
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));
  });
});

describe('ids, sessions, tokens and CSRF', () => {
  const badIds = ['not-a-uuid', '123', 'c0ffee00-0000-4000-8000-00000000000g', "1' OR '1'='1"];

  it('answers 400 to non-UUID ids on both routes', async () => {
    const browser = browsers.get(fixture.accounts[0]!.sub)!;
    for (const id of badIds) {
      expect((await browser.postExport(id)).status, id).toBe(400);
      const api = await fetch(`${stack.appUrl}/api/workspaces/${encodeURIComponent(id)}/export`, { headers: { authorization: `Bearer ${tokens.get(fixture.accounts[0]!.sub)}` } });
      expect(api.status, id).toBe(400);
    }
  });

  it('sends people without a session to sign in, and scripts without a valid token get 401', async () => {
    const id = fixture.workspaces[0]!.id;
    const page = await fetch(`${stack.appUrl}/workspaces`, { redirect: 'manual' });
    expect(page.status).toBe(303);
    expect(page.headers.get('location')).toBe('/auth/login');
    const post = await fetch(`${stack.appUrl}/workspaces/${id}/export`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '_csrf=x' });
    expect(post.status).toBe(303);
    expect(post.headers.get('location')).toBe('/auth/login');

    for (const url of [`${stack.appUrl}/api/workspaces`, `${stack.appUrl}/api/workspaces/${id}/export`]) {
      const none = await fetch(url);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="fief-exporter"');
      const bad = await fetch(url, { headers: { authorization: 'Bearer not-a-real-token' } });
      expect(bad.status).toBe(401);
      expect(bad.headers.get('www-authenticate')).toContain('error="invalid_token"');
      // The session cookie is no credential for the API.
      const cookie = await browsers.get(fixture.accounts[0]!.sub)!.agent.get(url);
      expect(cookie.status).toBe(401);
    }
  });

  it('refuses export POSTs without, with a wrong, or with another session’s CSRF token (403)', async () => {
    const anne = browsers.get(fixture.accounts[0]!.sub)!;
    const bob = browsers.get(fixture.accounts[1]!.sub)!;
    const id = fixture.cloud.id; // both are members
    expect((await anne.postExport(id, {})).status).toBe(403);
    expect((await anne.postExport(id, { _csrf: 'wrong' })).status).toBe(403);
    expect((await anne.postExport(id, { _csrf: bob.csrf })).status).toBe(403);
    expect((await anne.postExport(id, { _csrf: anne.csrf }, { origin: 'https://evil.example' })).status).toBe(403);
    const sameOrigin = await anne.postExport(id, { _csrf: anne.csrf }, { origin: stack.appUrl });
    expect(sameOrigin.status).toBe(200);
    await sameOrigin.arrayBuffer();
  });
});

describe('secrets', () => {
  it('never shows the source ENCRYPTION_KEY, the client secret or SECRET in a response or a log line', () => {
    expect(bodies.length).toBeGreaterThan(30);
    const secrets = [fixture.encryptionKey, stack.clientSecret, stack.config.secret];
    for (const secret of secrets) {
      for (const body of bodies) expect(body.includes(secret)).toBe(false);
      expect(stack.logs.text().includes(secret)).toBe(false);
    }
    for (const token of tokens.values()) expect(stack.logs.text().includes(token)).toBe(false);
  });

  it('audits every export in the log', () => {
    const audits = stack.logs.entries().filter((e) => e.audit === 'export');
    expect(audits.some((a) => a.outcome === 'completed' && typeof a.bytes === 'number' && a.bytes > 0)).toBe(true);
    expect(audits.some((a) => a.outcome === 'not_found')).toBe(true);
    expect(audits.some((a) => a.outcome === 'unsupported')).toBe(true);
    for (const a of audits) {
      expect(typeof a.sub).toBe('string');
      expect(typeof a.workspaceId).toBe('string');
      expect(Number.isNaN(Date.parse(String(a.startedAt)))).toBe(false);
      expect(typeof a.durationMs).toBe('number');
      expect(typeof a.bytes).toBe('number');
    }
  });
});
