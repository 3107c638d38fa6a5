/**
 * Route guards, as Fastify hooks. Browser routes need a session (else: off to sign-in) and,
 * for POSTs, the session's CSRF token; /api routes need a Fief access token issued to an
 * allowed client, verified locally against the issuer's keys (services/access-token.ts).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { csrfRefused, HttpProblem } from './http-problem.js';
import { TokenRejected } from './services/access-token.js';
import { SignInError } from './services/sign-in.js';

/** onRequest: pages without a session send the browser to sign in (303 turns a POST into a GET). */
export async function requireSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.signedIn !== null) return;
  await reply.redirect('/auth/login', 303);
}

/**
 * preValidation (the body is parsed by then): a browser-sent Origin must be ours, there must be
 * someone signed in, and the form's `_csrf` must be a token of this session's CSRF secret
 * (@fastify/csrf-protection; its refusals get the same page, plugins/errors.ts).
 */
export function requireCsrf(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
  const origin = request.headers.origin;
  const foreignOrigin = origin !== undefined && origin !== new URL(request.server.config.publicUrl).origin;
  if (foreignOrigin || request.signedIn === null) return done(csrfRefused());
  request.server.csrfProtection(request, reply, done);
}

const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;

/** onRequest for /api: who the bearer token belongs to, or 401 (RFC 6750) / 503 (IdP down). */
export async function requireBearer(request: FastifyRequest): Promise<void> {
  const match = BEARER.exec(request.headers.authorization ?? '');
  const token = match?.[1];
  if (token === undefined) {
    throw new HttpProblem(401, 'Authentication required', 'Send a Fief access token in the header "Authorization: Bearer <token>".', {
      'www-authenticate': 'Bearer realm="fief-exporter"',
    });
  }
  try {
    request.apiIdentity = await request.server.accessTokens.verify(token);
  } catch (err) {
    if (err instanceof TokenRejected) {
      // A closed set of reasons (RejectReason): nothing from the token itself.
      request.log.info({ rejectReason: err.reason }, 'access token refused');
      throw new HttpProblem(401, 'Invalid token', 'The access token is invalid, has expired, or was not issued to a client this exporter accepts.', {
        'www-authenticate': 'Bearer realm="fief-exporter", error="invalid_token"',
      });
    }
    // Only our own SignInError sentences are logged: they describe the failure, never the token.
    request.log.warn({ reason: err instanceof SignInError ? err.message : 'unexpected error' }, 'bearer token check failed: IdP unavailable');
    throw new HttpProblem(503, 'Sign-in unavailable', 'The Fief server cannot be reached to check your token. Please try again shortly.', {
      'retry-after': '30',
    });
  }
}
