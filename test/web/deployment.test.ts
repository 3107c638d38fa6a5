/**
 * The web layer under deployment conditions (app.inject, legacy side faked or unreachable):
 * cookie attributes and HSTS on https, SECRET rotation, readiness and pages while the main database does not
 * answer, rate limits on sign-in.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { fakeLegacy } from './helpers/fakes.js';
import { configFrom, sessionCookie, sessionSealer } from './helpers/forged-session.js';
import { LogCapture } from './helpers/stack.js';

const anne = 'a0000000-0000-4000-8000-000000000001';

/** An app of its own on `env`, its legacy side an empty fake, closed after `test`. */
async function withOwnApp(env: Record<string, string>, test: (app: FastifyInstance) => Promise<void>): Promise<void> {
  const legacy = fakeLegacy([], {});
  const app = await buildApp(configFrom(env), { workspaces: legacy.workspaces, openExport: legacy.openExport, logStream: new LogCapture() });
  try {
    await test(app);
  } finally {
    await app.close();
  }
}

describe('https deployments', () => {
  it('uses a __Host- prefixed Secure session cookie and HSTS', () =>
    withOwnApp({ PUBLIC_URL: 'https://exporter.example.com' }, async (app) => {
      app.get('/test/issue', (request, reply) => {
        app.sessions.issue(request, reply, { sub: anne, email: 'anne@example.com' });
        return reply.send('ok');
      });
      const response = await app.inject('/test/issue');
      const setCookie = String(response.headers['set-cookie']);
      expect(setCookie).toMatch(/^__Host-fief-exporter-session=[^;]+; Max-Age=28800; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
      expect(response.headers['strict-transport-security']).toContain('max-age=31536000');
      const csp = String(response.headers['content-security-policy']);
      expect(csp).toContain('upgrade-insecure-requests');
    }));
});

describe('rotating SECRET', () => {
  it('keeps sessions sealed under a SECRET_PREVIOUS secret, sealing them again under SECRET', async () => {
    const before = configFrom({});
    const cookie = await sessionCookie(before, anne);
    await withOwnApp({ SECRET_PREVIOUS: before.secret }, async (rotated) => {
      const response = await rotated.inject({ url: '/workspaces', headers: { cookie } });
      expect(response.statusCode).toBe(200);
      expect(response.body).toContain('Signed in as');
      const resealed = /^fief-exporter-session=([^;]+);/.exec(String(response.headers['set-cookie']))?.[1] ?? '';
      const underSecretOnly = await sessionSealer(rotated.config.secret);
      expect(underSecretOnly.decodeSecureSession(decodeURIComponent(resealed))?.get('sub')).toBe(anne);
    });
    // Without the old secret listed, its cookies sign nobody in.
    await withOwnApp({}, async (forgotten) => {
      expect((await forgotten.inject({ url: '/workspaces', headers: { cookie } })).statusCode).toBe(303);
    });
  });
});

describe('while the main database is unreachable', () => {
  const config = configFrom({ DATABASE_URL: 'postgres://nobody:pw@127.0.0.1:9/none' });
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildApp(config, { logStream: new LogCapture() });
  });
  afterAll(() => app.close());

  it('readiness answers 503, while liveness stays up', async () => {
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    const ready = await app.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json()).toMatchObject({ status: 'unavailable', database: 'unreachable' });
    expect(ready.body).not.toContain('pw@');
  });

  it('the workspace list answers 503 with Retry-After, not 500', async () => {
    const cookie = await sessionCookie(config, anne);
    const response = await app.inject({ url: '/workspaces', headers: { cookie } });
    expect(response.statusCode).toBe(503);
    expect(response.headers['retry-after']).toBe('30');
    expect(response.body).toContain('temporarily unavailable');
    expect(response.body).not.toContain('pw@');
  });
});

describe('rate limits on sign-in', () => {
  it('answers 429 once a client exceeds AUTH_RATE_LIMIT_PER_MINUTE on /auth routes', () =>
    withOwnApp({ AUTH_RATE_LIMIT_PER_MINUTE: '3' }, async (app) => {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) statuses.push((await app.inject('/auth/login')).statusCode);
      expect(statuses.slice(0, 3)).toEqual([503, 503, 503]); // the IdP is not reachable in this test
      expect(statuses.slice(3)).toEqual([429, 429]);
      expect((await app.inject('/')).statusCode).toBe(200); // pages are not limited
    }));
});
