/**
 * Sessions live in the browser, sealed with AES-256-GCM: the server keeps no session store, a
 * tampered or foreign cookie fails authentication, and nothing in it is readable client-side.
 * The key is derived from SECRET with HKDF so SECRET itself is never used as a cipher key.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export interface Session {
  /** Random id of this sign-in: what signing out revokes (services/session-revocations.ts). */
  sid: string;
  /** The person's `sub` on the Fief server: what workspace membership is keyed on. */
  sub: string;
  email: string;
  /** Synchronizer CSRF token, compared with the `_csrf` field of every form POST. */
  csrf: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

const FORMAT_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SessionCodec {
  readonly #key: Buffer;

  /** `context` (the cookie name) is bound as associated data: a sealed value only opens under its own name. */
  constructor(
    secret: string,
    private readonly context: string,
  ) {
    this.#key = Buffer.from(hkdfSync('sha256', secret, 'fief-exporter', 'session cookie v1', 32));
  }

  seal(session: Session): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(this.context));
    const body = Buffer.concat([cipher.update(JSON.stringify(session), 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([FORMAT_VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The session, or null when the value is missing, forged, from another key, malformed or expired. */
  open(value: string | undefined, nowSeconds = Math.floor(Date.now() / 1000)): Session | null {
    if (!value || value.length > 4096) return null;
    const raw = Buffer.from(value, 'base64url');
    if (raw.length < 1 + IV_BYTES + TAG_BYTES + 2 || raw[0] !== FORMAT_VERSION) return null;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, raw.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(Buffer.from(this.context));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]);
      const parsed = JSON.parse(plain.toString('utf8')) as Partial<Session>;
      if (typeof parsed.sid !== 'string' || typeof parsed.sub !== 'string' || typeof parsed.email !== 'string' || typeof parsed.csrf !== 'string') return null;
      if (typeof parsed.exp !== 'number' || parsed.exp <= nowSeconds) return null;
      return { sid: parsed.sid, sub: parsed.sub, email: parsed.email, csrf: parsed.csrf, exp: parsed.exp };
    } catch {
      return null;
    }
  }
}

export function newCsrfToken(): string {
  return randomBytes(32).toString('base64url');
}
