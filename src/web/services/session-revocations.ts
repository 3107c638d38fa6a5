/**
 * Signed-out sessions. A session cookie is self-contained (sealed, no server store), so clearing
 * it in the browser does not stop a copy of it (kept by malware, a shared computer's profile, a
 * proxy log) from being replayed until it expires. Signing out records the session's id here
 * until that expiry, and a cookie with a recorded id no longer opens.
 *
 * Scope: this list lives in the process. With several machines, a copy replayed on a machine
 * that did not handle the sign-out still opens there until the session expires (8 hours at
 * most); the exporter keeps no shared store because it never writes to the legacy database.
 * Signing out also ends the session at the issuer when it publishes an end-session endpoint, so
 * nobody is signed in again silently on that browser.
 */
export class SessionRevocations {
  /** sid → expiry (seconds since the epoch); Maps iterate in insertion order. */
  readonly #revoked = new Map<string, number>();

  constructor(
    private readonly maxEntries = 200_000,
    private readonly now: () => number = () => Math.floor(Date.now() / 1000),
  ) {}

  add(sid: string, exp: number): void {
    this.#prune();
    // Past the cap the oldest record goes: the cap is far above any real sign-out rate within
    // a session lifetime, and only keeps a flood of sign-outs from growing memory without end.
    if (this.#revoked.size >= this.maxEntries) {
      const oldest = this.#revoked.keys().next();
      if (!oldest.done) this.#revoked.delete(oldest.value);
    }
    this.#revoked.set(sid, exp);
  }

  has(sid: string): boolean {
    const exp = this.#revoked.get(sid);
    return exp !== undefined && exp > this.now();
  }

  /** Drops records whose session has expired anyway (the cookie no longer opens by itself). */
  #prune(): void {
    const now = this.now();
    for (const [sid, exp] of this.#revoked) {
      if (exp <= now) this.#revoked.delete(sid);
      // Not sorted by expiry, but close (sessions last the same time): stop at the first live one.
      else break;
    }
  }
}
