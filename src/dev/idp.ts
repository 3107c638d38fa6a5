/**
 * A development stand-in for a Fief server: a real OpenID provider (oidc-provider 9) on
 * loopback that behaves like Fief for the exporter (discovery, authorization code with PKCE
 * required, confidential clients, userinfo with `sub` and `email` for scope `openid`, an
 * end-session endpoint). Access tokens are RS256 JWTs shaped like Fief's (`iss`, `sub`, `exp`,
 * `aud: [client_id]`, `azp: client_id`), and userinfo accepts them, as Fief's does. Its login
 * page asks for an email and, for accounts that have one, a password: it is for tests and the
 * local demo, never for production.
 */
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jwtVerify } from 'jose';
import Provider, { type Account, type ClientMetadata, type KoaContextWithOIDC } from 'oidc-provider';
import { loginPage, sendStylesheet, STYLESHEET_PATH, type SignInHint } from './idp-login-page.js';

export interface DevAccount {
  sub: string;
  email: string;
  /** When set, the login form requires it (the demo prints it); tests may sign in by email alone. */
  password?: string;
}

export interface DevClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** Where the end-session endpoint may send the browser back to. */
  postLogoutRedirectUris?: string[];
}

export interface DevIdpOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  accounts: DevAccount[];
  clients: DevClient[];
  /** Access token lifetime in seconds (default 3600). */
  accessTokenTtl?: number;
  /** An account the sign-in page suggests (the demo's). */
  hint?: SignInHint;
}

export interface DevIdp {
  /** The issuer URL (what FIEF_BASE_URL is set to). */
  issuer: string;
  port: number;
  /** Every request received, as "METHOD /path" (no query): tests count calls to the issuer. */
  requests: string[];
  close(): Promise<void>;
}

/** The resource indicator our access tokens are minted for; their `aud` is rewritten like Fief's. */
const ACCESS_TOKEN_RESOURCE = 'urn:fief:access-token';

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 8192) throw new Error('form too large');
  }
  return new URLSearchParams(body);
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function passwordMatches(account: DevAccount, given: string): boolean {
  if (account.password === undefined) return true;
  const a = createHash('sha256').update(account.password).digest();
  const b = createHash('sha256').update(given).digest();
  return timingSafeEqual(a, b);
}

/** First-party client: the grant for scope `openid` is implicit, as on Fief, so there is no consent page. */
async function grantFor(ctx: KoaContextWithOIDC) {
  const { client, session, provider, result } = ctx.oidc;
  if (!client || !session?.accountId) return undefined;
  const existing = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
  if (existing) return provider.Grant.find(existing);
  const grant = new provider.Grant({ accountId: session.accountId, clientId: client.clientId });
  grant.addOIDCScope('openid offline_access');
  grant.addResourceScope(ACCESS_TOKEN_RESOURCE, 'openid');
  await grant.save();
  return grant;
}

export async function startDevIdp(options: DevIdpOptions): Promise<DevIdp> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const issuer = `http://${host}:${port}`;
  const bySub = new Map(options.accounts.map((a) => [a.sub, a]));
  const byEmail = new Map(options.accounts.map((a) => [a.email.toLowerCase(), a]));

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: options.clients.map(
      (c): ClientMetadata => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: c.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
        post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
      }),
    ),
    findAccount: (_ctx: KoaContextWithOIDC, sub: string): Account | undefined => {
      const account = bySub.get(sub);
      if (!account) return undefined;
      return { accountId: sub, claims: () => ({ sub, email: account.email, email_verified: true }) };
    },
    // Like Fief: scope `openid` alone yields the email claims.
    claims: { openid: ['sub', 'email', 'email_verified'] },
    scopes: ['openid', 'offline_access'],
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      // Every access token is a JWT for one resource, so that its shape can be made Fief's below.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => ACCESS_TOKEN_RESOURCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({ scope: 'openid', accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } }),
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => {
          ctx.body = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign out · Fief (development)</title></head><body><main><h1>Sign out of Fief?</h1>${form}<button type="submit" form="op.logoutForm" name="logout" value="yes">Sign out</button></main></body></html>`;
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Signed out</title></head><body><p>You are signed out.</p></body></html>';
        },
      },
    },
    formats: {
      customizers: {
        jwt: (_ctx, token, jwt) => {
          // Fief: `aud: [client_id]`, `azp: client_id` (fief/crypto/access_token.py).
          const clientId = String(token.clientId);
          jwt.payload.aud = [clientId];
          jwt.payload.azp = clientId;
        },
      },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    loadExistingGrant: grantFor,
    ttl: { Interaction: 600, Session: 86_400, Grant: 86_400, AccessToken: options.accessTokenTtl ?? 3600, IdToken: 3600, RefreshToken: 86_400, AuthorizationCode: 60 },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'dev', use: 'sig', alg: 'RS256' }] },
  });
  // oidc-provider's userinfo refuses tokens with an audience; Fief's accepts its own JWTs.
  const userinfo = async (req: IncomingMessage, res: ServerResponse) => {
    const token = /^Bearer (\S+)$/.exec(req.headers.authorization ?? '')?.[1] ?? '';
    try {
      const { payload } = await jwtVerify(token, publicKey, { issuer, algorithms: ['RS256'] });
      const account = bySub.get(String(payload.sub));
      if (!account) throw new Error('no such account');
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ sub: account.sub, email: account.email, email_verified: true }));
    } catch {
      res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer error="invalid_token"' });
      res.end(JSON.stringify({ error: 'invalid_token' }));
    }
  };
  const requests: string[] = [];

  const oidc = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    requests.push(`${req.method} ${(req.url ?? '').split('?')[0]}`);
    if ((req.url ?? '').split('?')[0] === '/me') {
      void userinfo(req, res);
      return;
    }
    if (req.url === STYLESHEET_PATH) return sendStylesheet(res);
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec(req.url ?? '');
    if (!match) {
      void oidc(req, res);
      return;
    }
    void (async () => {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'GET') {
        send(res, 200, loginPage(details.uid, { hint: options.hint }));
        return;
      }
      const form = await readForm(req);
      const account = byEmail.get((form.get('email') ?? '').trim().toLowerCase());
      if (!account || !passwordMatches(account, form.get('password') ?? '')) {
        send(res, 200, loginPage(details.uid, { error: 'Wrong email address or password.', hint: options.hint }));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: account.sub } }, { mergeWithLastSubmission: false });
    })().catch(() => {
      if (!res.headersSent) send(res, 400, '<!doctype html><title>Error</title><p>This sign-in attempt has expired. Start again from the application.</p>');
      else res.destroy();
    });
  });

  return {
    issuer,
    port,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
