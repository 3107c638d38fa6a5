/**
 * Drives a browser-like sign-in through the exporter and the dev IdP with a supertest agent:
 * follow each redirect by hand, fill in the IdP's email form, stop when the exporter sends us to
 * /workspaces. Also gets an access token directly from the IdP, as a script would.
 * bench/serve.ts uses it too, so it throws plain errors rather than using vitest's expect.
 */
import { createHash, randomBytes } from 'node:crypto';
import supertest from 'supertest';

/**
 * A "browser": one supertest agent (its cookie jar) on full URLs, because the flow crosses the
 * exporter and the IdP, both on 127.0.0.1, whose cookies ignore ports as a browser's do.
 * supertest never follows redirects: the flow is checked hop by hop.
 */
export type Browser = supertest.Agent;
export type BrowserResponse = supertest.Response;

export function newBrowser(): Browser {
  return supertest.agent('');
}

const cookiesFor = (browser: Browser, url: string) => {
  const { hostname, pathname, protocol } = new URL(url);
  return browser.jar.getCookies({ domain: hostname, path: pathname, secure: protocol === 'https:', script: false });
};

/** The `Cookie` header `browser` sends to `url`, for requests made without the agent. */
export const cookieHeader = (browser: Browser, url: string): string => cookiesFor(browser, url).toValueString();

/** The value of the cookie `name` that `browser` holds for `url`, if any. */
export const cookieValue = (browser: Browser, url: string, name: string): string | undefined =>
  cookiesFor(browser, url).find((cookie) => cookie.name === name)?.value;

/** Posts an urlencoded form, as a browser submits one. */
export const postForm = (browser: Browser, url: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
  browser.post(url).set(headers).type('form').send(fields);

/** Every Set-Cookie line of `response`. */
export const setCookieLines = (response: BrowserResponse): string[] => ([] as string[]).concat(response.headers['set-cookie'] ?? []);

async function follow(browser: Browser, start: BrowserResponse, base: string, until: (url: URL) => boolean, seen: string[]): Promise<URL> {
  let response = start;
  let current = new URL(base);
  for (let hop = 0; hop < 15; hop++) {
    seen.push(...setCookieLines(response));
    if (response.status >= 300 && response.status < 400) {
      current = new URL(String(response.headers.location ?? ''), current);
      if (until(current)) return current;
      response = await browser.get(current.toString());
      continue;
    }
    const form = /<form method="post" action="([^"]+)"/.exec(response.text);
    if (response.status !== 200 || !form?.[1]) throw new Error(`unexpected page in sign-in flow (${response.status} at ${current.pathname}): ${response.text.slice(0, 300)}`);
    throw new NeedsLogin(new URL(form[1], current));
  }
  throw new Error('too many redirects');
}

class NeedsLogin extends Error {
  constructor(readonly action: URL) {
    super('login form');
  }
}

async function login(browser: Browser, first: BrowserResponse, base: string, email: string, until: (url: URL) => boolean, seen: string[]): Promise<URL> {
  try {
    return await follow(browser, first, base, until, seen);
  } catch (err) {
    if (!(err instanceof NeedsLogin)) throw err;
    const posted = await postForm(browser, err.action.toString(), { email });
    return follow(browser, posted, err.action.toString(), until, seen);
  }
}

/**
 * Signs `email` in to the exporter at `appUrl`; returns the browser holding the session cookie.
 * Every Set-Cookie line received on the way is added to `seen`, to check attributes.
 */
export async function signInToApp(appUrl: string, email: string, browser = newBrowser(), seen: string[] = []): Promise<Browser> {
  const start = await browser.get(`${appUrl}/auth/login`);
  if (start.status !== 302) throw new Error(`/auth/login answered ${start.status}, expected a redirect to the IdP`);
  const landed = await login(browser, start, appUrl, email, (url) => url.origin === appUrl && url.pathname !== '/auth/callback', seen);
  if (landed.pathname !== '/workspaces') throw new Error(`sign-in ended at ${landed.pathname}, expected /workspaces`);
  return browser;
}

/** An access token for `email` from the IdP, through the code flow of client `clientId`. */
export async function accessTokenFor(issuer: string, client: { clientId: string; clientSecret: string; redirectUri: string }, email: string): Promise<string> {
  const browser = newBrowser();
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
  const first = await browser.get(authorize.toString());
  const landed = await login(browser, first, issuer, email, (url) => url.toString().startsWith(client.redirectUri), []);
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
