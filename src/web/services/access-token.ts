/**
 * Fief access tokens for /api, checked locally: Fief signs them as RS256 JWTs (`iss`, `sub`,
 * `exp`, `aud: [client_id]`, `azp: client_id`), so the issuer's JWKS is all we need. A token
 * must be signed by the issuer's key, name the issuer, be unexpired, and have been issued to
 * the exporter (FIEF_CLIENT_ID) or to a client in API_CLIENT_IDS: any other application on the
 * same Fief server gets tokens for the same people, and they are no credential here.
 * The key set is cached by jose and fetched again only for an unknown `kid` (key rotation),
 * at most once per cooldown, so no request costs a round trip to the issuer.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import type { IssuerMetadata } from './issuer-metadata.js';
import { SignInError, type Identity } from './sign-in.js';

type KeySet = ReturnType<typeof createRemoteJWKSet>;

/**
 * Why a token was refused, for the log: jose's error code (`ERR_JWT_EXPIRED`, …) or one of our
 * fixed reasons. A closed set, so no text from the token itself can reach a log line.
 */
export type RejectReason = `ERR_${string}` | 'another client (azp)' | 'another client (aud)' | 'no subject';

export class TokenRejected extends Error {
  override name = 'TokenRejected';

  constructor(readonly reason: RejectReason) {
    super(`token refused: ${reason}`);
  }
}

function audiences(payload: JWTPayload): string[] {
  if (typeof payload.aud === 'string') return [payload.aud];
  return Array.isArray(payload.aud) ? payload.aud.filter((a): a is string => typeof a === 'string') : [];
}

export class AccessTokenVerifier {
  readonly #allowed: ReadonlySet<string>;
  #keys: { uri: string; set: KeySet } | undefined;

  constructor(
    allowedClientIds: readonly string[],
    /** The issuer's metadata once discovery has succeeded. */
    private readonly metadata: () => IssuerMetadata | undefined,
    private readonly timeoutMs = 5000,
  ) {
    this.#allowed = new Set(allowedClientIds);
  }

  #keySet(uri: string): KeySet {
    if (this.#keys?.uri !== uri) this.#keys = { uri, set: createRemoteJWKSet(new URL(uri), { timeoutDuration: this.timeoutMs }) };
    return this.#keys.set;
  }

  /** Who the token belongs to; TokenRejected (401) or SignInError 'unavailable' (503). */
  async verify(token: string): Promise<Identity> {
    const metadata = this.metadata();
    if (metadata === undefined) throw new SignInError('unavailable', 'the issuer has not been discovered yet');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.#keySet(metadata.jwksUri), {
        issuer: metadata.issuer,
        algorithms: ['RS256'],
        requiredClaims: ['sub', 'exp'],
      }));
    } catch (err) {
      // The key set could not be fetched or read: the issuer is down, not the token wrong.
      if (err instanceof errors.JWKSTimeout || err instanceof errors.JWKSInvalid || !(err instanceof errors.JOSEError)) {
        throw new SignInError('unavailable', `the issuer's keys could not be fetched (${err instanceof Error ? err.name : 'error'})`, { cause: err });
      }
      throw new TokenRejected(/^ERR_[A-Z0-9_]+$/.test(err.code) ? (err.code as RejectReason) : 'ERR_JOSE');
    }
    const azp = typeof payload.azp === 'string' ? payload.azp : undefined;
    if (azp !== undefined && !this.#allowed.has(azp)) throw new TokenRejected('another client (azp)');
    if (!audiences(payload).some((aud) => this.#allowed.has(aud))) throw new TokenRejected('another client (aud)');
    if (typeof payload.sub !== 'string' || payload.sub === '') throw new TokenRejected('no subject');
    return { sub: payload.sub, email: '' };
  }
}
