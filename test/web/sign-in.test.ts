/**
 * Sign-in end to end over real HTTP: the exporter and the dev IdP (oidc-provider) on loopback,
 * driven with a supertest agent as the browser. The legacy side is faked: this is about the OIDC flow.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeLegacy } from './helpers/fakes.js';
import { cookieValue, newBrowser, postForm, signInToApp } from './helpers/oidc-flow.js';
import { startStack, waitFor, type Stack } from './helpers/stack.js';

const anne = { sub: '6f1c0e52-0000-4000-8000-00000000a001', email: 'anne@example.com' };
const bob = { sub: '6f1c0e52-0000-4000-8000-00000000b002', email: 'bob@example.com' };
const workspace = { id: 'c0ffee00-0000-4000-8000-000000000001', name: 'Bretagne', domain: 'bretagne.fief.dev', usersCount: 12 };

describe('sign-in with a reachable IdP', () => {
  let stack: Stack;
  beforeAll(async () => {
    const legacy = fakeLegacy([workspace], { [workspace.id]: [anne.sub] });
    stack = await startStack({ accounts: [anne, bob], workspaces: legacy.workspaces, openExport: legacy.openExport });
  });
  afterAll(() => stack.close());

  it('redirects to the IdP with PKCE S256, state and scope openid', async () => {
    const response = await fetch(`${stack.appUrl}/auth/login`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location') ?? '');
    expect(location.origin).toBe(stack.config.fiefBaseUrl);
    expect(location.searchParams.get('scope')).toBe('openid');
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.get('redirect_uri')).toBe(`${stack.appUrl}/auth/callback`);
    const cookies = response.headers.getSetCookie().join('\n');
    expect(cookies).toMatch(/oauth2-redirect-state=[^;]+;.*HttpOnly/);
    expect(cookies).toMatch(/oauth2-code-verifier=[^;]+;.*HttpOnly/);
  });

  it('signs a person in: session cookie, their workspaces, sign out', async () => {
    const browser = await signInToApp(stack.appUrl, anne.email);
    const sessionCookie = cookieValue(browser, stack.appUrl, 'fief-exporter-session');
    expect(sessionCookie).toBeTruthy();
    expect(cookieValue(browser, stack.appUrl, 'oauth2-redirect-state')).toBeUndefined(); // single-use, cleared by the callback

    const page = await browser.get(`${stack.appUrl}/workspaces`);
    expect(page.status).toBe(200);
    const html = page.text;
    expect(html).toContain('Signed in as <strong>anne@example.com</strong>');
    expect(html).toContain('Bretagne');
    expect(html).toContain('bretagne.fief.dev');

    const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
    const out = await postForm(browser, `${stack.appUrl}/auth/logout`, { _csrf: csrf });
    expect(out.status).toBe(303);
    expect(String(out.headers.location).startsWith(`${stack.config.fiefBaseUrl}/session/end?`)).toBe(true); // signed out at the issuer too
    expect(cookieValue(browser, stack.appUrl, 'fief-exporter-session')).toBeUndefined();
    const after = await browser.get(`${stack.appUrl}/workspaces`);
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe('/auth/login');
  });

  it('shows the empty state to a person with no workspace', async () => {
    const browser = await signInToApp(stack.appUrl, bob.email);
    const html = (await browser.get(`${stack.appUrl}/workspaces`)).text;
    expect(html).toContain('No workspaces');
    expect(html).not.toContain('Bretagne');
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/ and refuses a forged state', async () => {
    const setCookieLines: string[] = [];
    await signInToApp(stack.appUrl, anne.email, newBrowser(), setCookieLines);
    const line = setCookieLines.find((l) => l.startsWith('fief-exporter-session='));
    expect(line).toMatch(/; HttpOnly/);
    expect(line).toMatch(/; SameSite=Lax/);
    expect(line).toMatch(/; Path=\//);
    expect(line).not.toMatch(/Secure/); // plain-http loopback deployment

    const browser = newBrowser();
    const start = await browser.get(`${stack.appUrl}/auth/login`);
    expect(start.status).toBe(302);
    // Replaying a callback with a forged state is refused and sets no session.
    const forged = await browser.get(`${stack.appUrl}/auth/callback?code=x&state=forged`);
    expect(forged.status).toBe(400);
    expect(forged.text).toContain('Sign-in failed');
    expect(cookieValue(browser, stack.appUrl, 'fief-exporter-session')).toBeUndefined();
  });

  it('logs no code, state, token or cookie', () => {
    const text = stack.logs.text();
    expect(text).toContain('/auth/callback?code=~&state=~');
    expect(text).not.toMatch(/code=[^~&"]/);
    expect(text).not.toContain(stack.clientSecret);
    expect(text).not.toContain('fief-exporter-session=');
  });
});

describe('sign-in while the IdP is unreachable at boot', () => {
  let stack: Stack;
  beforeAll(async () => {
    const legacy = fakeLegacy([workspace], { [workspace.id]: [anne.sub] });
    stack = await startStack({ accounts: [anne], workspaces: legacy.workspaces, openExport: legacy.openExport, startIdp: false });
  });
  afterAll(() => stack.close());

  it('starts anyway, says sign-in is unavailable, and recovers once the IdP is up', async () => {
    const health = await fetch(`${stack.appUrl}/healthz`);
    expect(health.status).toBe(200);
    await waitFor(() => stack.app.signIn.state === 'unavailable');

    const landing = await (await fetch(`${stack.appUrl}/`)).text();
    expect(landing).toContain('Sign-in is temporarily unavailable');
    const login = await fetch(`${stack.appUrl}/auth/login`, { redirect: 'manual' });
    expect(login.status).toBe(503);
    expect(login.headers.get('retry-after')).toBe('30');
    expect(await login.text()).toContain('Sign-in unavailable');

    await stack.startIdp();
    await waitFor(() => stack.app.signIn.state === 'ready');
    const browser = await signInToApp(stack.appUrl, anne.email);
    expect((await browser.get(`${stack.appUrl}/workspaces`)).status).toBe(200);
    expect(stack.logs.text()).toContain('sign-in unavailable: OIDC discovery failed, retrying');
  });
});
