/**
 * Sign in with Fief (OIDC authorization code + PKCE, through SignInService) and sign out.
 * Rate-limited per client address: these are the routes that cost an IdP round trip.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireCsrf } from '../src/web/guards.js';
import { HttpProblem } from '../src/web/http-problem.js';
import { SignInError } from '../src/web/services/sign-in.js';
import { SignInCallbackQuery } from '../src/web/schemas.js';

function signInUnavailable(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply
    .code(503)
    .header('retry-after', '30')
    .header('cache-control', 'no-store')
    .page('signin-unavailable', { title: 'Sign-in unavailable', issuer: new URL(request.server.signIn.issuer).host });
}

export default function authRoutes(instance: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  const rateLimit = { max: app.config.authRateLimitPerMinute, timeWindow: 60_000 };

  app.get('/auth/login', { config: { rateLimit } }, async (request, reply) => {
    if (app.signIn.state !== 'ready') return signInUnavailable(request, reply);
    const url = await app.signIn.authorizationUrl(request, reply);
    return reply.header('cache-control', 'no-store').redirect(url, 302);
  });

  app.get('/auth/callback', { config: { rateLimit }, schema: { querystring: SignInCallbackQuery } }, async (request, reply) => {
    if (typeof request.query.error === 'string') {
      throw new HttpProblem(400, 'Sign-in was not completed', 'Fief did not sign you in. You can try again from the home page.');
    }
    if (app.signIn.state !== 'ready') return signInUnavailable(request, reply);
    try {
      const identity = await app.signIn.completeSignIn(request, reply);
      app.sessions.issue(request, reply, identity);
      request.log.info({ sub: identity.sub }, 'signed in');
      return reply.redirect('/workspaces', 303);
    } catch (err) {
      if (!(err instanceof SignInError)) throw err;
      request.log.warn({ reason: err.message }, 'sign-in failed');
      if (err.kind === 'unavailable') return signInUnavailable(request, reply);
      throw new HttpProblem(400, 'Sign-in failed', 'The sign-in could not be completed (it may have expired). Please sign in again.');
    }
  });

  // Without a session there is nothing to protect: an expired session's "Sign out" just lands home.
  const csrfIfSignedIn = (request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void) =>
    request.signedIn === null ? done() : requireCsrf(request, reply, done);

  app.post('/auth/logout', { config: { rateLimit }, preValidation: csrfIfSignedIn }, async (request, reply) => {
    const signedIn = request.signedIn;
    app.sessions.end(request);
    if (signedIn === null) return reply.redirect('/', 303);
    request.log.info({ sub: signedIn.sub }, 'signed out');
    // Also at the issuer, or the next "Sign in" on this browser would sign its person in again silently.
    return reply.redirect(app.signIn.endSessionUrl(`${app.config.publicUrl}/`) ?? '/', 303);
  });
  done();
}
