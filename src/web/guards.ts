/**
 * Route guards, as Fastify hooks. Browser routes need a session (else: off to sign-in) and,
 * for POSTs, the session's CSRF token; /api routes need a Fief access token issued to an
 * allowed client, verified locally against the issuer's keys (services/access-token.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HttpProblem } from './http-problem.js';
import { TokenRejected } from './services/access-token.js';
import { SignInError } from './services/sign-in.js';

/** onRequest: pages without a session send the browser to sign in (303 turns a POST into a GET). */
export async function requireSession(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (request.session !== null) return;
  await reply.redirect('/auth/login', 303);
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const csrfRefused = () =>
  new HttpProblem(403, 'Request refused', 'This form has expired or did not come from this site. Reload the page and try again.');

/**
 * preValidation (the body is parsed by then): the form's `_csrf` must equal the session's token
 * (synchronizer token), and a browser-sent Origin must be ours (defence in depth).
 */
export function requireCsrf(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
  const origin = request.headers.origin;
  const body = request.body as { _csrf?: unknown } | undefined;
  const token = typeof body?._csrf === 'string' ? body._csrf : '';
  const foreignOrigin = origin !== undefined && origin !== new URL(request.server.config.publicUrl).origin;
  done(foreignOrigin || request.session === null || !sameToken(token, request.session.csrf) ? csrfRefused() : undefined);
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
      // The reason is jose's error code or one of our fixed phrases (access-token.ts), never the token.
      request.log.info({ reason: err.message }, 'bearer token refused');
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
