/**
 * Bearer tokens for the /api routes are checked by asking the IdP's userinfo endpoint, as Fief
 * tokens are opaque to us. A script paging through the API would cost one IdP round trip per
 * call, so answers are cached briefly. The cache is keyed by a SHA-256 of the token: the token
 * itself is never kept in memory longer than the request.
 */
import { createHash } from 'node:crypto';
import type { Identity } from './sign-in.js';

interface Entry {
  identity: Identity;
  expiresAt: number;
}

export class TokenIdentityCache {
  readonly #entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 60_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  static keyOf(token: string): string {
    return createHash('sha256').update(token).digest('base64url');
  }

  get(token: string): Identity | undefined {
    const key = TokenIdentityCache.keyOf(token);
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.identity;
  }

  set(token: string, identity: Identity): void {
    // Maps iterate in insertion order: dropping the first key evicts the oldest entry.
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(TokenIdentityCache.keyOf(token), { identity, expiresAt: this.now() + this.ttlMs });
  }
}
