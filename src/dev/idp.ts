/**
 * A development stand-in for a Fief server: a real OpenID provider (oidc-provider 9) on
 * loopback that behaves like Fief for the exporter (discovery, authorization code with PKCE
 * required, confidential clients, userinfo with `sub` and `email` for scope `openid`). Its login
 * page asks for an email and, for accounts that have one, a password: it is for tests and the
 * local demo, never for production.
 */
import { createHash, generateKeyPairSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
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
}

export interface DevIdpOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  accounts: DevAccount[];
  clients: DevClient[];
  /** An account the sign-in page suggests (the demo's). */
  hint?: SignInHint;
}

export interface DevIdp {
  /** The issuer URL (what FIEF_BASE_URL is set to). */
  issuer: string;
  port: number;
  close(): Promise<void>;
}

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

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: options.clients.map(
      (c): ClientMetadata => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: c.redirectUris,
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
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
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    loadExistingGrant: grantFor,
    ttl: { Interaction: 600, Session: 86_400, Grant: 86_400, AccessToken: 3600, IdToken: 3600, RefreshToken: 86_400, AuthorizationCode: 60 },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'dev', use: 'sig', alg: 'RS256' }] },
  });

  const oidc = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
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
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
