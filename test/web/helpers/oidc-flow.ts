/**
 * Drives a browser-like sign-in through the exporter and the dev IdP with fetch: follow each
 * redirect by hand, fill in the IdP's email form, stop when the exporter sends us to
 * /workspaces. Also gets an access token directly from the IdP, as a script would.
 * bench/serve.ts uses it too, so it throws plain errors rather than using vitest's expect.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CookieJar } from './cookie-jar.js';

async function follow(jar: CookieJar, start: Response, base: string, until: (url: URL) => boolean): Promise<URL> {
  let response = start;
  let current = new URL(base);
  for (let hop = 0; hop < 15; hop++) {
    if (response.status >= 300 && response.status < 400) {
      current = new URL(response.headers.get('location') ?? '', current);
      if (until(current)) return current;
      response = await jar.fetch(current.toString());
      continue;
    }
    const html = await response.text();
    const form = /<form method="post" action="([^"]+)"/.exec(html);
    if (response.status !== 200 || !form?.[1]) throw new Error(`unexpected page in sign-in flow (${response.status} at ${current.pathname}): ${html.slice(0, 300)}`);
    throw new NeedsLogin(new URL(form[1], current));
  }
  throw new Error('too many redirects');
}

class NeedsLogin extends Error {
  constructor(readonly action: URL) {
    super('login form');
  }
}

async function login(jar: CookieJar, first: Response, base: string, email: string, until: (url: URL) => boolean): Promise<URL> {
  try {
    return await follow(jar, first, base, until);
  } catch (err) {
    if (!(err instanceof NeedsLogin)) throw err;
    const posted = await jar.fetch(err.action.toString(), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email }).toString(),
    });
    return follow(jar, posted, err.action.toString(), until);
  }
}

/** Signs `email` in to the exporter at `appUrl`; returns the jar holding the session cookie. */
export async function signInToApp(appUrl: string, email: string, jar = new CookieJar()): Promise<CookieJar> {
  const start = await jar.fetch(`${appUrl}/auth/login`);
  if (start.status !== 302) throw new Error(`/auth/login answered ${start.status}, expected a redirect to the IdP`);
  const landed = await login(jar, start, appUrl, email, (url) => url.origin === appUrl && url.pathname !== '/auth/callback');
  if (landed.pathname !== '/workspaces') throw new Error(`sign-in ended at ${landed.pathname}, expected /workspaces`);
  return jar;
}

/** An access token for `email` from the IdP, through the code flow of client `clientId`. */
export async function accessTokenFor(issuer: string, client: { clientId: string; clientSecret: string; redirectUri: string }, email: string): Promise<string> {
  const jar = new CookieJar();
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(`${issuer}/auth`);
  authorize.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    scope: 'openid',
    redirect_uri: client.redirectUri,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString();
  const first = await jar.fetch(authorize.toString());
  const landed = await login(jar, first, issuer, email, (url) => url.toString().startsWith(client.redirectUri));
  const code = landed.searchParams.get('code');
  if (!code) throw new Error(`no code in ${landed.pathname}`);
  const token = await fetch(`${issuer}/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: client.redirectUri, code_verifier: verifier }).toString(),
  });
  const body = (await token.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`token endpoint answered ${token.status}`);
  return body.access_token;
}
