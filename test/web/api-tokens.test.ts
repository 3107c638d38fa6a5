/**
 * /api/* takes only Fief access tokens issued to the exporter (FIEF_CLIENT_ID) or to a client
 * listed in API_CLIENT_IDS, checked locally against the issuer's JWKS: a token of another
 * application on the same Fief server, an expired one or one signed by another key is refused
 * with 401, without a call to the issuer per request. /api/* is rate-limited per client address
 * and per person.
 */
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessTokenFor } from './helpers/oidc-flow.js';
import { seedWebFixture, type WebFixture } from './helpers/fixture.js';
import { onFixture, SCRIPT_CLIENT, STRANGER_CLIENT, startStack, type Stack } from './helpers/stack.js';

let fixture: WebFixture;
beforeAll(async () => {
  fixture = await seedWebFixture();
});

const appClient = (stack: Stack) => ({ clientId: stack.config.fiefClientId, clientSecret: stack.clientSecret, redirectUri: `${stack.appUrl}/auth/callback` });
const api = (stack: Stack, token: string, path = '/api/workspaces', headers: Record<string, string> = {}) =>
  fetch(`${stack.appUrl}${path}`, { headers: { authorization: `Bearer ${token}`, ...headers } });
const payloadOf = (token: string) => JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
/** Calls the exporter's own code has made to the issuer's userinfo and JWKS endpoints. */
const issuerCalls = (stack: Stack) => stack.idp!.requests.filter((r) => /^(GET|POST) \/(me|jwks)$/.test(r)).length;

describe('access tokens of other clients, other keys, expired', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ ...onFixture(fixture), env: { API_CLIENT_IDS: SCRIPT_CLIENT.clientId, API_RATE_LIMIT_PER_MINUTE: '1000' } });
  });
  afterAll(() => stack?.close());

  it('accepts tokens of the exporter and of API_CLIENT_IDS, refuses another client’s (401), with no per-request call to the issuer', async () => {
    const anne = fixture.accounts[0]!;
    const own = await accessTokenFor(stack.config.fiefBaseUrl, appClient(stack), anne.email);
    const script = await accessTokenFor(stack.config.fiefBaseUrl, SCRIPT_CLIENT, anne.email);
    const stranger = await accessTokenFor(stack.config.fiefBaseUrl, STRANGER_CLIENT, anne.email);
    // The stand-in mints tokens the way Fief does.
    expect(payloadOf(stranger)).toMatchObject({ sub: anne.sub, aud: [STRANGER_CLIENT.clientId], azp: STRANGER_CLIENT.clientId, iss: stack.config.fiefBaseUrl });

    // The strangers' token is valid at the issuer itself: only its client makes it no credential here.
    const atIssuer = await fetch(`${stack.config.fiefBaseUrl}/me`, { headers: { authorization: `Bearer ${stranger}` } });
    expect(atIssuer.status).toBe(200);

    const first = await api(stack, own);
    expect(first.status).toBe(200);
    const names = ((await first.json()) as { workspaces: { name: string }[] }).workspaces.map((w) => w.name).sort();
    expect(names).toEqual(['Bretagne', 'Normandie']);

    const before = issuerCalls(stack);
    for (let i = 0; i < 10; i++) {
      expect((await api(stack, own)).status).toBe(200);
      expect((await api(stack, script)).status).toBe(200);
      const refused = await api(stack, stranger);
      expect(refused.status).toBe(401);
      expect(refused.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const bretagne = fixture.workspaces.find((w) => w.name === 'Bretagne')!;
      expect((await api(stack, stranger, `/api/workspaces/${bretagne.id}/export`)).status).toBe(401);
    }
    expect(issuerCalls(stack) - before).toBe(0);
    // Each refusal is logged with its reason, and no log line holds any part of a token.
    const refusals = stack.logs.entries().filter((e) => e.msg === 'access token refused');
    expect(refusals.length).toBeGreaterThanOrEqual(20);
    expect(new Set(refusals.map((e) => e.rejectReason))).toEqual(new Set(['another client (azp)']));
    const logText = JSON.stringify(stack.logs.entries());
    for (const token of [own, script, stranger]) for (const part of token.split('.')) expect(logText).not.toContain(part);
  });

  it('refuses tokens signed by another key, with or without a known kid, and fetches the JWKS again at most once', async () => {
    const anne = fixture.accounts[0]!;
    await api(stack, await accessTokenFor(stack.config.fiefBaseUrl, appClient(stack), anne.email)); // the JWKS is cached by now
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forge = (kid: string) =>
      new SignJWT({ azp: stack.config.fiefClientId, scope: 'openid' })
        .setProtectedHeader({ alg: 'RS256', kid })
        .setIssuer(stack.config.fiefBaseUrl)
        .setSubject(anne.sub)
        .setAudience([stack.config.fiefClientId])
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(privateKey);
    const before = issuerCalls(stack);
    for (const kid of ['dev', 'rogue', 'rogue', 'another']) {
      const response = await api(stack, await forge(kid));
      expect(response.status, kid).toBe(401);
    }
    for (const junk of ['not-a-jwt', 'eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'a.b.c']) expect((await api(stack, junk)).status).toBe(401);
    // Unknown kids may refresh the key set once (key rotation), never once per request.
    expect(issuerCalls(stack) - before).toBeLessThanOrEqual(1);
  });
});

describe('expired access tokens', () => {
  it('are refused with 401', async () => {
    const stack = await startStack({ ...onFixture(fixture), accessTokenTtl: 2 });
    try {
      const anne = fixture.accounts[0]!;
      const token = await accessTokenFor(stack.config.fiefBaseUrl, appClient(stack), anne.email);
      expect((await api(stack, token)).status).toBe(200);
      await new Promise((r) => setTimeout(r, 3100));
      const expired = await api(stack, token);
      expect(expired.status).toBe(401);
      expect(expired.headers.get('www-authenticate')).toContain('error="invalid_token"');
    } finally {
      await stack.close();
    }
  });
});

describe('rate limits on /api', () => {
  it('counts per client address and per person (API_RATE_LIMIT_PER_MINUTE)', async () => {
    // The test runner is the proxy: X-Forwarded-For says which client each request is from.
    const stack = await startStack({ ...onFixture(fixture), env: { API_RATE_LIMIT_PER_MINUTE: '3', TRUST_PROXY: '127.0.0.1' } });
    try {
      const [anne, bob] = [fixture.accounts[0]!, fixture.accounts[1]!];
      const client = appClient(stack);
      const anneToken = await accessTokenFor(stack.config.fiefBaseUrl, client, anne.email);
      const bobToken = await accessTokenFor(stack.config.fiefBaseUrl, client, bob.email);
      const from = (ip: string) => ({ 'x-forwarded-for': ip });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) statuses.push((await api(stack, anneToken, '/api/workspaces', from('198.51.100.1'))).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      const limited = await api(stack, anneToken, '/api/workspaces', from('198.51.100.2'));
      expect(limited.status, 'the same person from another address').toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await api(stack, bobToken, '/api/workspaces', from('198.51.100.1'))).status, 'another person from the same address').toBe(429);
      expect((await api(stack, bobToken, '/api/workspaces', from('198.51.100.3'))).status, 'another person, another address').toBe(200);
      // Unauthenticated guessing counts against the address too.
      for (let i = 0; i < 3; i++) expect((await api(stack, 'guess', '/api/workspaces', from('198.51.100.4'))).status).toBe(401);
      expect((await api(stack, 'guess', '/api/workspaces', from('198.51.100.4'))).status).toBe(429);
    } finally {
      await stack.close();
    }
  });
});
