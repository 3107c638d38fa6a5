/**
 * Sign-in with Fief through @fastify/oauth2: OIDC discovery, authorization code flow with PKCE
 * (S256) and state, identity from the userinfo endpoint.
 *
 * @fastify/oauth2 runs discovery while the plugin registers, so an unreachable Fief server would
 * fail the app's boot. Instead the plugin lives in a small private Fastify instance that this
 * service (re)builds in the background, with exponential backoff, until discovery succeeds.
 * Meanwhile the app serves everything else and shows "sign-in unavailable". The plugin's methods
 * work on the app's own request/reply (state and PKCE cookies go through the app's
 * @fastify/cookie), so the private instance only carries the discovered configuration.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifyOAuth2, { type OAuth2Namespace, type OAuth2Token } from '@fastify/oauth2';
import { isHttpsDeployment, type WebConfig } from '../config.js';
import { fetchIssuerMetadata, type IssuerMetadata } from './issuer-metadata.js';

export interface Identity {
  sub: string;
  email: string;
}

export type SignInState = 'discovering' | 'ready' | 'unavailable';

/** Why a sign-in or token check failed, so routes can answer 400/401 versus 503. */
export class SignInError extends Error {
  constructor(
    readonly kind: 'unavailable' | 'rejected',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SignInError';
  }
}

export interface RetryPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
  /** Each discovery (and userinfo) attempt is abandoned after this long. */
  timeoutMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { initialDelayMs: 1000, maxDelayMs: 60_000, timeoutMs: 10_000 };

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SignInError('unavailable', `${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const inner = (err as Error & { innerError?: unknown }).innerError;
  const innerCode = inner instanceof Error ? (inner as NodeJS.ErrnoException).code ?? inner.message : undefined;
  return innerCode ? `${err.message} (${innerCode})` : err.message;
}

export class SignInService {
  #state: SignInState = 'discovering';
  #oauth: OAuth2Namespace | undefined;
  #holder: FastifyInstance | undefined;
  #metadata: IssuerMetadata | undefined;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  #attempts = 0;

  constructor(
    private readonly config: WebConfig,
    private readonly log: FastifyBaseLogger,
    private readonly retry: RetryPolicy = DEFAULT_RETRY,
  ) {}

  get state(): SignInState {
    return this.#state;
  }

  get issuer(): string {
    return this.config.fiefBaseUrl;
  }

  /** The issuer's JWKS and end-session endpoint, once discovery has succeeded. */
  get metadata(): IssuerMetadata | undefined {
    return this.#metadata;
  }

  /** Starts discovery in the background; never throws, never blocks the app's boot. */
  start(): void {
    void this.#attempt();
  }

  async #attempt(): Promise<void> {
    if (this.#closed) return;
    this.#attempts += 1;
    const holder = Fastify({ logger: false });
    try {
      // Not awaited: discovery runs while the plugin loads, and ready() below bounds it in time.
      void holder.register(fastifyOAuth2, {
        name: 'fief',
        discovery: { issuer: this.config.fiefBaseUrl },
        credentials: { client: { id: this.config.fiefClientId, secret: this.config.fiefClientSecret } },
        scope: ['openid'],
        pkce: 'S256',
        callbackUri: `${this.config.publicUrl}/auth/callback`,
        hostPrefixedCookies: isHttpsDeployment(this.config),
        cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: isHttpsDeployment(this.config) },
        userAgent: 'fief-exporter',
      });
      const [metadata] = await withTimeout(
        Promise.all([fetchIssuerMetadata(this.config.fiefBaseUrl, this.retry.timeoutMs), holder.ready()]),
        this.retry.timeoutMs,
        'OIDC discovery',
      );
      if (this.#closed) {
        await holder.close();
        return;
      }
      this.#holder = holder;
      this.#metadata = metadata;
      this.#oauth = (holder as unknown as { fief: OAuth2Namespace }).fief;
      this.#state = 'ready';
      this.log.info({ issuer: this.config.fiefBaseUrl, attempts: this.#attempts }, 'sign-in ready: OIDC discovery succeeded');
    } catch (err) {
      // Not awaited: after a timeout the plugin may still be waiting on the socket.
      holder.close().catch(() => undefined);
      this.#state = 'unavailable';
      const delay = Math.min(this.retry.maxDelayMs, this.retry.initialDelayMs * 2 ** Math.min(this.#attempts - 1, 20));
      this.log.warn(
        { issuer: this.config.fiefBaseUrl, attempts: this.#attempts, retryInMs: delay, reason: describe(err) },
        'sign-in unavailable: OIDC discovery failed, retrying',
      );
      if (this.#closed) return;
      this.#timer = setTimeout(() => void this.#attempt(), delay);
      this.#timer.unref();
    }
  }

  #ready(): OAuth2Namespace {
    if (this.#oauth === undefined) throw new SignInError('unavailable', 'sign-in is not available yet (OIDC discovery has not succeeded)');
    return this.#oauth;
  }

  /** Where to send the browser to sign out at the issuer too, or undefined when it publishes no end-session endpoint. */
  endSessionUrl(returnTo: string): string | undefined {
    const endpoint = this.#metadata?.endSessionEndpoint;
    if (endpoint === undefined) return undefined;
    const url = new URL(endpoint);
    url.searchParams.set('client_id', this.config.fiefClientId);
    url.searchParams.set('post_logout_redirect_uri', returnTo);
    // Fief's own /logout reads `redirect_uri`; OIDC RP-initiated logout, the parameter above.
    url.searchParams.set('redirect_uri', returnTo);
    return url.toString();
  }

  /** The IdP URL to send the browser to; sets the state and PKCE verifier cookies on `reply`. */
  authorizationUrl(request: FastifyRequest, reply: FastifyReply): Promise<string> {
    return this.#ready().generateAuthorizationUri(request, reply);
  }

  /** Checks state, exchanges the code (with the PKCE verifier), then asks userinfo who this is. */
  async completeSignIn(request: FastifyRequest, reply: FastifyReply): Promise<Identity> {
    const oauth = this.#ready();
    const token = await new Promise<OAuth2Token>((resolve, reject) => {
      // The 3-argument form also clears the single-use state and verifier cookies.
      oauth.getAccessTokenFromAuthorizationCodeFlow(request, reply, (err: unknown, result: OAuth2Token) => {
        if (err) reject(new SignInError('rejected', `the authorization code was not accepted: ${describe(err)}`, { cause: err }));
        else resolve(result);
      });
    });
    return this.identify(token.token.access_token);
  }

  /** Who an access token belongs to, according to the IdP's userinfo endpoint. */
  async identify(accessToken: string): Promise<Identity> {
    const oauth = this.#ready();
    let info: unknown;
    try {
      info = await withTimeout(oauth.userinfo(accessToken), this.retry.timeoutMs, 'the userinfo request');
    } catch (err) {
      throw new SignInError('unavailable', `the userinfo endpoint could not be reached: ${describe(err)}`, { cause: err });
    }
    const claims = (info ?? {}) as { sub?: unknown; email?: unknown; error?: unknown };
    if (typeof claims.sub !== 'string' || claims.sub === '') {
      throw new SignInError('rejected', `the access token was not accepted by userinfo (${typeof claims.error === 'string' ? claims.error : 'no sub'})`);
    }
    return { sub: claims.sub, email: typeof claims.email === 'string' ? claims.email : '' };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#holder?.close();
  }
}
