/**
 * The web layer on its own (app.inject, legacy side faked): pages, headers, error pages,
 * admission control. Deployment conditions (https, an unreachable database, rate limits) are
 * in deployment.test.ts.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import type { WebConfig } from '../../src/web/config.js';
import { SESSION_TTL_SECONDS } from '../../src/web/plugins/session.js';
import { fakeLegacy, type FakeLegacy } from './helpers/fakes.js';
import { configFrom, sessionCookie } from './helpers/forged-session.js';
import { LogCapture } from './helpers/stack.js';

const anne = 'a0000000-0000-4000-8000-000000000001';
const bob = 'b0000000-0000-4000-8000-000000000002';
const ws = { id: 'c0ffee00-0000-4000-8000-000000000001', name: 'Bretagne <script>', domain: 'bretagne.fief.dev', usersCount: 3 };
const ws2 = { id: 'c0ffee00-0000-4000-8000-000000000002', name: 'Normandie', domain: 'normandie.fief.dev', usersCount: 5 };

/** This page's CSRF token for the session in `cookie`, as the workspaces page renders it. */
async function csrfTokenOf(app: FastifyInstance, cookie: string): Promise<string> {
  const html = (await app.inject({ url: '/workspaces', headers: { cookie } })).body;
  const token = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (token === undefined) throw new Error('no CSRF field on /workspaces');
  return token;
}

describe('pages, headers and errors', () => {
  let app: FastifyInstance;
  let config: WebConfig;
  let legacy: FakeLegacy;
  let base: string;
  const logs = new LogCapture();

  beforeAll(async () => {
    config = configFrom({ EXPORT_CONCURRENCY: '1' });
    legacy = fakeLegacy([ws, ws2], { [ws.id]: [anne, bob], [ws2.id]: [anne] }, { endless: true });
    app = await buildApp(config, { workspaces: legacy.workspaces, openExport: legacy.openExport, logStream: logs, workspaceListTtlMs: 0 });
    // Downloads go over real sockets: aborting one is a closed connection, which inject cannot model.
    base = await app.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => app.close());

  it('serves the landing page with a strict CSP and no inline script', async () => {
    const response = await app.inject('/');
    expect(response.statusCode).toBe(200);
    const csp = response.headers['content-security-policy'] as string;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['referrer-policy']).toBe('same-origin');
    expect(response.body).not.toMatch(/<script|style=/i);
    expect(response.body).toContain('<main id="main"');
    expect(response.body).toContain('<link rel="stylesheet" href="/static/style.css">');
  });

  it('serves the stylesheet from public/', async () => {
    const response = await app.inject('/static/style.css');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(response.body).toContain('.skip-link');
  });

  it('shows the import steps from the Fief migration guide', async () => {
    const html = (await app.inject('/next-steps')).body;
    // The one recipe (src/import-recipe.ts), file name quoted for the shell.
    expect(html).toContain('createdb fief_new\npsql -X -v ON_ERROR_STOP=1 -d fief_new -f &#39;fief_dump_&lt;Workspace&gt;.sql&#39;');
    expect(html).toContain('head -n1 &#39;fief_dump_&lt;Workspace&gt;.sql&#39;');
    expect(html).toContain('-- ENCRYPTION_KEY=');
    expect(html).toContain('Start Fief 0.28 or later');
    expect(html).toContain('fief grant-admin-role');
    expect(html).toContain('Admin API keys are <strong>not migrated</strong>');
  });

  it('lists workspaces with escaped names, labelled controls, a CSRF field and the next steps', async () => {
    const cookie = await sessionCookie(config, anne);
    const response = await app.inject({ url: '/workspaces', headers: { cookie } });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toBe('no-store');
    // Rendering the CSRF field does not re-seal the session: it lasts 8 hours from sign-in, not from the last page.
    expect(response.headers['set-cookie']).toBeUndefined();
    const html = response.body;
    expect(html).toContain('Bretagne &lt;script&gt;');
    expect(html).not.toContain('Bretagne <script>');
    // The field's token is this session's: signing out with it is accepted, with another it is not.
    const csrf = /<input type="hidden" name="_csrf" value="([^"]+)">/.exec(html)?.[1] ?? '';
    const form = { cookie, 'content-type': 'application/x-www-form-urlencoded' };
    const otherSession = await sessionCookie(config, anne);
    const foreignToken = await app.inject({ method: 'POST', url: '/auth/logout', headers: { ...form, cookie: otherSession }, payload: `_csrf=${csrf}` });
    expect(foreignToken.statusCode).toBe(403);
    expect((await app.inject({ method: 'POST', url: '/auth/logout', headers: form, payload: `_csrf=${csrf}` })).statusCode).toBe(303);
    expect(html).toContain(`<label for="gzip-${ws.id}">`);
    expect(html).toContain('<th scope="col" class="num">Users</th>');
    expect(html).toContain('After the download: next steps');
    // How a script gets a token that passes: a Fief access token issued to an accepted client.
    expect(html).toContain('Authorization: Bearer &lt;token&gt;');
    expect(html).toContain(`issued to the client <code>${config.fiefClientId}</code>`);
    expect(html.indexOf('Bretagne')).toBeLessThan(html.indexOf('Normandie'));
  });

  it('gives every error page a reference to quote, unique, and on the log line of that error', async () => {
    const referenceOf = (html: string): string => /reference <code>([^<]+)<\/code>/.exec(html)?.[1] ?? '';
    const first = referenceOf((await app.inject('/nope')).body);
    const second = referenceOf((await app.inject('/nope')).body);
    // Short enough to read out, random so that it means something across restarts and instances.
    expect(first).toMatch(/^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$/);
    expect(second).not.toBe(first);

    const original = legacy.workspaces.listForMember.bind(legacy.workspaces);
    legacy.workspaces.listForMember = () => Promise.reject(new Error('boom'));
    try {
      const cookie = await sessionCookie(config, anne);
      const failed = await app.inject({ url: '/workspaces', headers: { cookie } });
      const reference = referenceOf(failed.body);
      expect(reference).toMatch(/^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$/);
      const lines = logs.entries().filter((e) => e.reqId === reference);
      expect(lines.map((e) => e.msg)).toContain('unexpected error');
    } finally {
      legacy.workspaces.listForMember = original;
    }
    expect(logs.entries().some((e) => e.reqId === first && (e.res as { statusCode?: number } | undefined)?.statusCode === 404)).toBe(true);
  });

  it('answers unknown pages with a 404 page and unexpected failures without a stack trace', async () => {
    const missing = await app.inject('/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.body).toContain('Page not found');

    const original = legacy.workspaces.listForMember.bind(legacy.workspaces);
    legacy.workspaces.listForMember = () => Promise.reject(new Error(`boom at /secret/path with ${config.encryptionKey}`));
    try {
      const cookie = await sessionCookie(config, anne);
      const failed = await app.inject({ url: '/workspaces', headers: { cookie } });
      expect(failed.statusCode).toBe(500);
      expect(failed.body).toContain('Something went wrong');
      expect(failed.body).not.toMatch(/boom|at .*\.ts|secret\/path/);
      expect(failed.body).not.toContain(config.encryptionKey);
      const api = await app.inject('/api/nothing');
      expect(api.json()).toEqual({ error: { status: 404, title: 'Page not found', detail: 'There is nothing at this address.' } });
    } finally {
      legacy.workspaces.listForMember = original;
    }
  });

  it('signs out only with the CSRF token, and an expired session just lands home', async () => {
    const cookie = await sessionCookie(config, anne);
    const csrf = await csrfTokenOf(app, cookie);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const refused = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie, ...form }, payload: '_csrf=wrong' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('This form has expired or did not come from this site.');
    const missing = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie, ...form }, payload: 'gzip=on' });
    expect(missing.statusCode).toBe(403);
    expect(missing.body).toContain('This form has expired or did not come from this site.');
    const out = await app.inject({ method: 'POST', url: '/auth/logout', headers: { cookie, ...form }, payload: `_csrf=${csrf}` });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers['set-cookie'])).toMatch(/^fief-exporter-session=; Max-Age=0; Path=\/;.*HttpOnly; SameSite=Lax/);
    const anonymous = await app.inject({ method: 'POST', url: '/auth/logout', headers: form, payload: '' });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe('/');
  });

  it('ignores forged and expired session cookies', async () => {
    const expired = await sessionCookie(config, anne, { signedInAt: Math.floor(Date.now() / 1000) - SESSION_TTL_SECONDS - 1 });
    for (const cookie of ['fief-exporter-session=forged', await sessionCookie(configFrom({}), anne), expired]) {
      const response = await app.inject({ url: '/workspaces', headers: { cookie } });
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe('/auth/login');
    }
  });

  const postExport = (session: { cookie: string; csrf: string }, id: string, signal?: AbortSignal) =>
    fetch(`${base}/workspaces/${id}/export`, {
      method: 'POST',
      headers: { cookie: session.cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${session.csrf}`,
      ...(signal ? { signal } : {}),
    });
  const signedIn = async (sub: string) => {
    const cookie = await sessionCookie(config, sub);
    return { cookie, csrf: await csrfTokenOf(app, cookie) };
  };
  const waitForNoExport = async () => {
    const deadline = Date.now() + 5000;
    while (app.exporter.slots.active > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(app.exporter.slots.active).toBe(0);
  };

  it('streams the download with attachment headers and no-store', async () => {
    const controller = new AbortController();
    const response = await postExport(await signedIn(bob), ws.id, controller.signal);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="fief_dump_Bretagne_script.sql"; filename*=UTF-8''fief_dump_Bretagne%20_script_.sql`,
    );
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(response.headers.get('content-type')).toBe('application/sql; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'");
    controller.abort();
    await waitForNoExport();
  });

  it('allows one export per person and EXPORT_CONCURRENCY in total (429 with Retry-After)', async () => {
    const a = await signedIn(anne);
    const b = await signedIn(bob);
    const controller = new AbortController();
    const first = await postExport(a, ws2.id, controller.signal);
    expect(first.status).toBe(200);
    const again = await postExport(a, ws.id);
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBe('10');
    expect(await again.text()).toContain('An export is already running');
    const other = await postExport(b, ws.id);
    expect(other.status).toBe(429);
    expect(other.headers.get('retry-after')).toBe('30');
    controller.abort();
    await waitForNoExport();
    const laterController = new AbortController();
    const later = await postExport(b, ws.id, laterController.signal);
    expect(later.status).toBe(200);
    laterController.abort();
    await waitForNoExport();
    const outcomes = logs.entries().filter((e) => e.audit === 'export').map((e) => e.outcome);
    expect(outcomes.filter((o) => o === 'busy')).toHaveLength(2);
    expect(outcomes.filter((o) => o === 'aborted')).toHaveLength(3);
  });
});
