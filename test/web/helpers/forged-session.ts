/**
 * Web configs and signed-in sessions without a Fief server: the session cookie is sealed with
 * the config's own secret, as the app seals it after a real sign-in.
 */
import { randomBytes } from 'node:crypto';
import { parseWebConfig, type WebConfig } from '../../../src/web/config.js';
import { SessionCodec } from '../../../src/web/session-codec.js';
import { testEnv } from './stack.js';

export function configFrom(env: Record<string, string>): WebConfig {
  const result = parseWebConfig(testEnv(env));
  if (!result.ok) throw new Error(result.problems.join('; '));
  return result.config;
}

export function sessionCookie(config: WebConfig, sub: string, cookieName = 'fief-exporter-session'): { cookie: string; csrf: string } {
  const csrf = randomBytes(16).toString('base64url');
  const value = new SessionCodec(config.secret, cookieName).seal({ sid: randomBytes(16).toString('base64url'), sub, email: `${sub.slice(0, 4)}@example.com`, csrf, exp: Math.floor(Date.now() / 1000) + 600 });
  return { cookie: `${cookieName}=${value}`, csrf };
}
