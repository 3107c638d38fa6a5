/**
 * Facts about a legacy (≤ 0.27) Fief workspace's tables that both the dump engine and the
 * self-hosted paths rely on: the revision and prefix Fief ≥ 0.28 expects, which columns hold
 * Fernet tokens, and which tables hold rows that die with the old instance's SECRET.
 */

export const EXPECTED_REVISION = '6c06c7d908a7';
export const EXPECTED_PREFIX = 'fief_';

/** Rows that die with the old instance's SECRET (HMAC digests) or are short-lived sessions. */
export const DEAD_SECRET_TABLES = [
  'session_tokens',
  'refresh_tokens',
  'authorization_codes',
  'email_verifications',
  'login_sessions',
  'registration_sessions',
  'oauth_sessions',
] as const;

/** Fernet-encrypted columns, keyed by table name without the prefix. */
export const ENCRYPTED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  oauth_providers: ['client_id', 'client_secret'],
  oauth_accounts: ['access_token', 'refresh_token'],
};

/** The encrypted columns a table of the dump actually has (a hand-altered schema may lack one). */
export function encryptedColumnsOf(table: { name: string; columns: readonly { name: string }[] }, prefix: string): string[] {
  if (!table.name.startsWith(prefix)) return [];
  const known = ENCRYPTED_COLUMNS[table.name.slice(prefix.length)] ?? [];
  return known.filter((c) => table.columns.some((col) => col.name === c));
}
