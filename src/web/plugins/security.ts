/**
 * Transport-level plugins: cookies, urlencoded forms, security headers and rate limiting.
 * The CSP allows nothing but our own stylesheet: the app has no client-side script at all, and
 * forms only post back to us (sign-in is a link, so the redirect to Fief is not a form action).
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import { isHttpsDeployment } from '../config.js';

async function securityPlugin(app: FastifyInstance): Promise<void> {
  const https = isHttpsDeployment(app.config);
  await app.register(fastifyCookie);
  await app.register(fastifyFormbody, { bodyLimit: 4096 });
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        scriptSrc: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        ...(https ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    // HSTS only means something over https; on a plain-http loopback deployment it is noise.
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    // same-origin, not no-referrer: with no-referrer, browsers send `Origin: null` on form POSTs, which the CSRF guard refuses.
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
  // Only the routes that opt in (config.rateLimit) are limited: the sign-in endpoints.
  await app.register(fastifyRateLimit, { global: false });
}

export default fp(securityPlugin, { name: 'fief-exporter-security' });
