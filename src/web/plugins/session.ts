/**
 * The browser session: @fastify/secure-session seals it into the cookie (no server store; a
 * tampered or foreign cookie opens as an empty session, nothing in it is readable client-side),
 * HttpOnly, SameSite=Lax, Path=/, and Secure with the `__Host-` prefix when the app is served
 * over https (so no other host or plain-http page can plant or overwrite it). The form CSRF
 * token is @fastify/csrf-protection's, its secret kept in that session.
 *
 * Each request's signed-in person is read once, in onRequest, so every route sees
 * `request.signedIn` (null: nobody, or a session that has been signed out).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import fastifyCsrfProtection from '@fastify/csrf-protection';
import fastifySecureSession from '@fastify/secure-session';
import { isHttpsDeployment } from '../config.js';
import { sessionKeys } from '../session-keys.js';
import { SessionRevocations } from '../services/session-revocations.js';
import type { Identity } from '../services/sign-in.js';

/** Sessions last a working day from sign-in; after that the person signs in again (Fief remembers them). */
export const SESSION_TTL_SECONDS = 8 * 60 * 60;

/** Who a session belongs to; with the CSRF secret, all that the session cookie carries. */
export interface SignedIn {
  /** Random id of this sign-in: what signing out revokes (services/session-revocations.ts). */
  sid: string;
  /** The person's `sub` on the Fief server: what workspace membership is keyed on. */
  sub: string;
  email: string;
}

export class SessionCookies {
  readonly #revoked = new SessionRevocations();

  /** Starts a session for `identity`: nothing of an earlier session's contents survives, its CSRF secret included. */
  issue(request: FastifyRequest, reply: FastifyReply, identity: Identity): void {
    request.session.regenerate();
    request.session.set('sid', randomBytes(32).toString('base64url'));
    request.session.set('sub', identity.sub);
    request.session.set('email', identity.email);
    // The CSRF secret is stored now, so later pages only read it: a session changes (and its
    // sign-in time, which its expiry counts from, moves) only when someone signs in.
    reply.generateCsrf();
  }

  /** Signing out: the browser drops the cookie, and a copy of it, replayed, no longer opens (on this process; see session-revocations.ts). */
  end(request: FastifyRequest): void {
    request.session.delete();
    // The record outlives the cookie: its sign-in time is at most now, so it expires by now + TTL.
    if (request.signedIn !== null) this.#revoked.add(request.signedIn.sid, Math.floor(Date.now() / 1000) + SESSION_TTL_SECONDS);
  }

  /** The session's person, unless it has none (empty, from an older format) or has been signed out. */
  signedIn(request: FastifyRequest): SignedIn | null {
    const { sid, sub, email } = request.session;
    if (typeof sid !== 'string' || typeof sub !== 'string' || typeof email !== 'string') return null;
    return this.#revoked.has(sid) ? null : { sid, sub, email };
  }
}

async function sessionPlugin(app: FastifyInstance): Promise<void> {
  const secure = isHttpsDeployment(app.config);
  const cookieName = secure ? '__Host-fief-exporter-session' : 'fief-exporter-session';
  await app.register(fastifySecureSession, {
    cookieName,
    key: sessionKeys(app.config.secret, app.config.previousSecrets, cookieName),
    expiry: SESSION_TTL_SECONDS,
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: SESSION_TTL_SECONDS },
  });
  await app.register(fastifyCsrfProtection, {
    sessionPlugin: '@fastify/secure-session',
    // Forms only: the app has no script that could send a header.
    getToken: (request) => {
      const body = request.body as { _csrf?: unknown } | undefined;
      return typeof body?._csrf === 'string' ? body._csrf : undefined;
    },
    // A stale form is the person's problem, not the operator's.
    logLevel: 'info',
  });
  const sessions = new SessionCookies();
  app.decorate('sessions', sessions);
  app.decorateRequest('signedIn', null);
  app.decorateRequest('apiIdentity', null);
  // After secure-session's own onRequest hook (registered above), which opens the cookie.
  app.addHook('onRequest', (request, _reply, next) => {
    request.signedIn = sessions.signedIn(request);
    next();
  });
}

export default fp(sessionPlugin, { name: 'fief-exporter-session', dependencies: ['@fastify/cookie'] });
