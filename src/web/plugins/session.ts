/**
 * The browser session: an AES-GCM sealed cookie (see session-codec.ts), HttpOnly, SameSite=Lax,
 * Path=/, and Secure with the `__Host-` prefix when the app is served over https (so no other
 * host or plain-http page can plant or overwrite it). Each request's session is opened once,
 * in onRequest, so every route sees `request.session`.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { isHttpsDeployment } from '../config.js';
import { newCsrfToken, SessionCodec, type Session } from '../session-codec.js';
import { SessionRevocations } from '../services/session-revocations.js';
import type { Identity } from '../services/sign-in.js';

/** Sessions last a working day; after that the person signs in again (Fief remembers them). */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

export class SessionCookies {
  readonly cookieName: string;
  readonly #codec: SessionCodec;
  readonly #secure: boolean;
  readonly #revoked = new SessionRevocations();

  constructor(secret: string, secure: boolean) {
    this.#secure = secure;
    this.cookieName = secure ? '__Host-fief-exporter-session' : 'fief-exporter-session';
    this.#codec = new SessionCodec(secret, this.cookieName);
  }

  #options(maxAge: number) {
    return { path: '/', httpOnly: true, sameSite: 'lax' as const, secure: this.#secure, maxAge };
  }

  /** Starts a session for `identity`, with a fresh CSRF token. */
  issue(reply: FastifyReply, identity: Identity): void {
    const exp = Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS;
    const value = this.#codec.seal({ sid: newCsrfToken(), sub: identity.sub, email: identity.email, csrf: newCsrfToken(), exp });
    void reply.setCookie(this.cookieName, value, this.#options(SESSION_TTL_SECONDS));
  }

  clear(reply: FastifyReply): void {
    void reply.clearCookie(this.cookieName, this.#options(0));
  }

  /** The session, unless the cookie does not open or that sign-in has been signed out. */
  open(value: string | undefined): Session | null {
    const session = this.#codec.open(value);
    return session === null || this.#revoked.has(session.sid) ? null : session;
  }

  /** Signing out: the same cookie, replayed, no longer opens (on this process; see session-revocations.ts). */
  revoke(session: Session): void {
    this.#revoked.add(session.sid, session.exp);
  }
}

function sessionPlugin(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  const sessions = new SessionCookies(app.config.secret, isHttpsDeployment(app.config));
  app.decorate('sessions', sessions);
  app.decorateRequest('session', null);
  app.decorateRequest('apiIdentity', null);
  app.addHook('onRequest', (request, _reply, next) => {
    request.session = sessions.open(request.cookies[sessions.cookieName]);
    next();
  });
  done();
}

export default fp(sessionPlugin, { name: 'fief-exporter-session', dependencies: ['@fastify/cookie'] });
