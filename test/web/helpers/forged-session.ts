/**
 * Web configs and signed-in sessions without a Fief server: the session cookie is sealed the way
 * the app seals it after a real sign-in (plugins/session.ts: @fastify/secure-session with keys
 * from session-keys.ts), under the config's own secret.
 */
import { randomBytes } from 'node:crypto';
import fastifySecureSession from '@fastify/secure-session';
import Fastify, { type FastifyInstance } from 'fastify';
import { parseWebConfig, type WebConfig } from '../../../src/web/config.js';
import { SESSION_TTL_SECONDS } from '../../../src/web/plugins/session.js';
import { sessionKeys } from '../../../src/web/session-keys.js';
import { testEnv } from './stack.js';

export function configFrom(env: Record<string, string>): WebConfig {
  const result = parseWebConfig(testEnv(env));
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.config;
}

/** A bare Fastify with secure-session as the app configures it: encode/decodeSecureSession. */
export async function sessionSealer(secret: string, previousSecrets: string[] = [], cookieName = 'fief-exporter-session'): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(fastifySecureSession, { cookieName, key: sessionKeys(secret, previousSecrets, cookieName), expiry: SESSION_TTL_SECONDS });
  await app.ready();
  return app;
}

/** A `cookie` header value for a session of `sub` under `config`'s SECRET; `signedInAt` in seconds since the epoch. */
export async function sessionCookie(config: WebConfig, sub: string, { signedInAt = Math.floor(Date.now() / 1000), cookieName = 'fief-exporter-session' } = {}): Promise<string> {
  const sealer = await sessionSealer(config.secret, config.previousSecrets, cookieName);
  const session = sealer.createSecureSession({
    sid: randomBytes(16).toString('base64url'),
    sub,
    email: `${sub.slice(0, 4)}@example.com`,
    _csrf: randomBytes(18).toString('base64url'),
    __ts: signedInAt,
  });
  return `${cookieName}=${encodeURIComponent(sealer.encodeSecureSession(session))}`;
}
