/**
 * The keys that seal session cookies (@fastify/secure-session, libsodium secretbox). Each key is
 * derived from a secret with HKDF-SHA256, so no secret is used as a cipher key itself, and the
 * cookie name is part of the derivation: a sealed value only opens under its own cookie name.
 *
 * HKDF, not secure-session's own `secret` option: that one runs Argon2 (crypto_pwhash, moderate
 * limits: about a second of CPU and 300 MB of memory per secret) at every start, which buys nothing for a secret
 * that is already a random string of 32 bytes or more.
 */
import { hkdfSync } from 'node:crypto';

const KEY_BYTES = 32;

function sessionKey(secret: string, cookieName: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'fief-exporter', `session cookie v2: ${cookieName}`, KEY_BYTES));
}

/** The current secret's key first (it seals), then the previous secrets' keys (they still open). */
export function sessionKeys(secret: string, previousSecrets: readonly string[], cookieName: string): Buffer[] {
  return [secret, ...previousSecrets].map((s) => sessionKey(s, cookieName));
}
