/**
 * The web exporter's configuration, read from the environment once at boot. `parseWebConfig`
 * is pure (env in, result out) so every rule is testable without a process, and it collects
 * every problem before answering: an operator fixes a broken deployment in one round trip.
 * Problem messages name the variable and the rule, never the value (most values are secrets).
 */
import { Fernet } from '../crypto/fernet.js';
import { parseDatabaseUrl, type ClientConfig } from '../db/connection.js';
import { ExporterError, isExporterError } from '../errors.js';
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js';

export interface WebConfig {
  /** The Fief server's issuer URL, without a trailing slash. */
  fiefBaseUrl: string;
  fiefClientId: string;
  fiefClientSecret: string;
  /** The legacy main database. */
  database: ClientConfig;
  /** The legacy instance's ENCRYPTION_KEY (source key): decrypts, never leaves the process. */
  encryptionKey: string;
  /** Cookie encryption secret (at least 32 bytes): seals new session cookies. */
  secret: string;
  /** Earlier SECRETs (SECRET_PREVIOUS, comma-separated): cookies they sealed still open, so rotating SECRET signs nobody out. */
  previousSecrets: string[];
  /** Where people reach the app, without a trailing slash (https in production). */
  publicUrl: string;
  host: string;
  port: number;
  exportConcurrency: number;
  /** An export whose client takes no byte for this long is aborted (seconds). */
  exportStallTimeoutSeconds: number;
  /** No export runs longer than this (seconds). */
  exportMaxSeconds: number;
  /** Sign-in attempts per client IP per minute on the /auth routes. */
  authRateLimitPerMinute: number;
  /** /api requests per minute, counted per client IP and per person. */
  apiRateLimitPerMinute: number;
  /** Clients whose access tokens /api accepts: FIEF_CLIENT_ID first, then API_CLIENT_IDS. */
  apiClientIds: string[];
  /** Which proxies to believe about the client's address (trust-proxy.ts). */
  trustProxy: TrustProxy;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Set by `fief-exporter demo` only, never from the environment: every page says it is a demo. */
  demo?: boolean;
}

export type Env = Readonly<Record<string, string | undefined>>;

export type ConfigResult = { ok: true; config: WebConfig } | { ok: false; problems: string[] };

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname) || url.hostname.endsWith('.localhost');
}

/** Collects problems instead of throwing, so that one pass reports all of them. */
class Checker {
  readonly problems: string[] = [];

  constructor(private readonly env: Env) {}

  required(name: string, hint: string): string | undefined {
    const value = this.env[name];
    if (value === undefined || value.trim() === '') {
      this.problems.push(`${name} is missing (${hint})`);
      return undefined;
    }
    return value.trim();
  }

  /** An absolute http(s) URL; plain http only on loopback, since tokens and cookies cross it. */
  httpsUrl(name: string, hint: string, { originOnly }: { originOnly: boolean }): string | undefined {
    const raw = this.required(name, hint);
    if (raw === undefined) return undefined;
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      this.problems.push(`${name} is not an absolute URL (${hint})`);
      return undefined;
    }
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
      this.problems.push(`${name} must be an https:// URL (plain http is only accepted for localhost)`);
      return undefined;
    }
    if (url.username || url.password || url.search || url.hash) {
      this.problems.push(`${name} must not contain credentials, a query or a fragment`);
      return undefined;
    }
    if (originOnly && url.pathname !== '/') {
      this.problems.push(`${name} must be an origin without a path (the app is served at /)`);
      return undefined;
    }
    return url.toString().replace(/\/+$/, '');
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.env[name];
    if (raw === undefined || raw.trim() === '') return fallback;
    if (!/^\d+$/.test(raw.trim()) || Number(raw) < min || Number(raw) > max) {
      this.problems.push(`${name} must be a whole number from ${min} to ${max}`);
      return fallback;
    }
    return Number(raw);
  }
}

export function parseWebConfig(env: Env): ConfigResult {
  const check = new Checker(env);
  const fiefBaseUrl = check.httpsUrl('FIEF_BASE_URL', 'the Fief issuer URL, e.g. https://fief.example.com', { originOnly: false });
  const fiefClientId = check.required('FIEF_CLIENT_ID', "the exporter's client ID on that Fief server");
  const fiefClientSecret = check.required('FIEF_CLIENT_SECRET', "the exporter's client secret on that Fief server");

  const databaseUrl = check.required('DATABASE_URL', 'postgres://user:password@host:5432/fief, the legacy main database');
  let database: ClientConfig | undefined;
  if (databaseUrl !== undefined) {
    try {
      database = parseDatabaseUrl(databaseUrl, 'DATABASE_URL');
    } catch (err) {
      if (!isExporterError(err)) throw err;
      check.problems.push(err.message.replace(/^the DATABASE_URL/, 'DATABASE_URL'));
    }
  }

  const encryptionKey = check.required('ENCRYPTION_KEY', 'the legacy instance ENCRYPTION_KEY, a Fernet key');
  if (encryptionKey !== undefined) {
    try {
      new Fernet(encryptionKey);
    } catch {
      check.problems.push('ENCRYPTION_KEY is not a Fernet key (44 characters of url-safe base64 encoding 32 bytes)');
    }
  }

  const secret = check.required('SECRET', 'a random string of at least 32 bytes that encrypts session cookies');
  if (secret !== undefined && Buffer.byteLength(secret, 'utf8') < 32) {
    check.problems.push('SECRET must be at least 32 bytes long (e.g. `openssl rand -base64 48`)');
  }

  const previousSecrets = (env.SECRET_PREVIOUS ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (previousSecrets.some((s) => Buffer.byteLength(s, 'utf8') < 32)) {
    check.problems.push('SECRET_PREVIOUS must be a comma-separated list of earlier SECRETs, each at least 32 bytes long');
  }

  const publicUrl = check.httpsUrl('PUBLIC_URL', 'the URL people open, e.g. https://exporter.example.com', { originOnly: true });
  // Loopback by default: a service that must be reachable from elsewhere says so (HOST=0.0.0.0).
  const host = env.HOST?.trim() || '127.0.0.1';
  const port = check.integer('PORT', 3000, 0, 65535);
  const exportConcurrency = check.integer('EXPORT_CONCURRENCY', 4, 1, 64);
  const exportStallTimeoutSeconds = check.integer('EXPORT_STALL_TIMEOUT', 60, 1, 3600);
  const exportMaxSeconds = check.integer('EXPORT_MAX_SECONDS', 3600, 1, 7 * 24 * 3600);
  const authRateLimitPerMinute = check.integer('AUTH_RATE_LIMIT_PER_MINUTE', 30, 1, 100_000);
  const apiRateLimitPerMinute = check.integer('API_RATE_LIMIT_PER_MINUTE', 60, 1, 100_000);
  const apiClientIds = [fiefClientId ?? '', ...(env.API_CLIENT_IDS ?? '').split(',').map((id) => id.trim())].filter((id) => id !== '');
  const trustProxy = parseTrustProxy(env);
  if (typeof trustProxy === 'string') check.problems.push(trustProxy);
  const logLevel = (env.LOG_LEVEL?.trim() || 'info') as WebConfig['logLevel'];
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel)) {
    check.problems.push(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}`);
  }

  if (
    check.problems.length > 0 ||
    fiefBaseUrl === undefined ||
    fiefClientId === undefined ||
    fiefClientSecret === undefined ||
    database === undefined ||
    encryptionKey === undefined ||
    secret === undefined ||
    publicUrl === undefined ||
    typeof trustProxy === 'string'
  ) {
    return { ok: false, problems: check.problems };
  }
  return {
    ok: true,
    config: {
      fiefBaseUrl,
      fiefClientId,
      fiefClientSecret,
      database,
      encryptionKey,
      secret,
      previousSecrets,
      publicUrl,
      host,
      port,
      exportConcurrency,
      exportStallTimeoutSeconds,
      exportMaxSeconds,
      authRateLimitPerMinute,
      apiRateLimitPerMinute,
      apiClientIds: [...new Set(apiClientIds)],
      trustProxy,
      logLevel,
    },
  };
}

/** parseWebConfig for boot: every problem in one CONFIG_INVALID error (the CLI exits 1). */
export function loadWebConfig(env: Env): WebConfig {
  const result = parseWebConfig(env);
  if (result.ok) return result.config;
  const count = result.problems.length;
  throw new ExporterError(
    'CONFIG_INVALID',
    `the web exporter's configuration has ${count} problem${count === 1 ? '' : 's'}:\n${result.problems.map((p) => `  - ${p}`).join('\n')}`,
  );
}

/** Whether cookies must be Secure and `__Host-` prefixed. */
export function isHttpsDeployment(config: Pick<WebConfig, 'publicUrl'>): boolean {
  return config.publicUrl.startsWith('https://');
}
