/**
 * /api/* is limited twice per minute window: per client address before the token is checked
 * (guessing or replaying tokens costs the guesser), and per person after (one person's scripts
 * from many addresses share one budget). Both come from @fastify/rate-limit's store; a route can
 * carry only one `config.rateLimit`, hence two explicit hooks.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HttpProblem } from './http-problem.js';

type Check = (request: FastifyRequest) => Promise<{ isExceeded?: boolean; ttlInSeconds?: number }>;

function tooMany(retryAfterSeconds: number): HttpProblem {
  return new HttpProblem(429, 'Too many requests', 'Too many API requests. Please wait a minute and try again.', {
    'retry-after': String(Math.max(1, retryAfterSeconds)),
  });
}

export interface ApiRateLimits {
  /** onRequest, before authentication. */
  perAddress: (request: FastifyRequest) => Promise<void>;
  /** onRequest, once request.apiIdentity is set. */
  perPerson: (request: FastifyRequest) => Promise<void>;
}

export function apiRateLimits(app: FastifyInstance, perMinute: number): ApiRateLimits {
  const limiter = (key: (request: FastifyRequest) => string): Check =>
    app.createRateLimit({ max: perMinute, timeWindow: 60_000, keyGenerator: key }) as Check;
  const byAddress = limiter((request) => `api-ip:${request.ip}`);
  const byPerson = limiter((request) => `api-sub:${request.apiIdentity?.sub ?? ''}`);
  const enforce = async (check: Check, request: FastifyRequest) => {
    const result = await check(request);
    if (result.isExceeded) throw tooMany(result.ttlInSeconds ?? 60);
  };
  return {
    perAddress: (request) => enforce(byAddress, request),
    perPerson: (request) => enforce(byPerson, request),
  };
}
