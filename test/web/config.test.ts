import { describe, expect, it } from 'vitest';
import { loadWebConfig, parseWebConfig } from '../../src/web/config.js';
import { testEnv } from './helpers/stack.js';

describe('parseWebConfig', () => {
  it('accepts a complete environment and applies defaults', () => {
    const result = parseWebConfig(testEnv({ PUBLIC_URL: 'https://exporter.example.com/', FIEF_BASE_URL: 'https://fief.example.com/' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({
      fiefBaseUrl: 'https://fief.example.com',
      publicUrl: 'https://exporter.example.com',
      host: '127.0.0.1',
      port: 3000,
      exportConcurrency: 4,
      exportStallTimeoutSeconds: 60,
      exportMaxSeconds: 3600,
      apiRateLimitPerMinute: 60,
      apiClientIds: ['fief-exporter'],
      trustProxy: { kind: 'none' },
      logLevel: 'info',
    });
  });

  it('lists every problem at once, naming variables but never echoing values', () => {
    const env = {
      FIEF_BASE_URL: 'http://fief.example.com',
      FIEF_CLIENT_SECRET: '',
      DATABASE_URL: 'mysql://root:hunter2@db/fief',
      ENCRYPTION_KEY: 'not-a-fernet-key-hunter2',
      SECRET: 'short-hunter2',
      PUBLIC_URL: 'https://exporter.example.com/sub/path',
      PORT: '70000',
      EXPORT_CONCURRENCY: 'many',
      LOG_LEVEL: 'loud',
    };
    const result = parseWebConfig(env);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    for (const name of ['FIEF_BASE_URL', 'FIEF_CLIENT_ID', 'FIEF_CLIENT_SECRET', 'DATABASE_URL', 'ENCRYPTION_KEY', 'SECRET', 'PUBLIC_URL', 'PORT', 'EXPORT_CONCURRENCY', 'LOG_LEVEL']) {
      expect(text).toContain(name);
    }
    expect(result.problems).toHaveLength(10);
    expect(text).not.toContain('hunter2');
  });

  it('accepts plain http only on loopback', () => {
    expect(parseWebConfig(testEnv({ FIEF_BASE_URL: 'http://localhost:8000', PUBLIC_URL: 'http://127.0.0.1:3000' })).ok).toBe(true);
    const result = parseWebConfig(testEnv({ PUBLIC_URL: 'http://exporter.example.com' }));
    expect(result.ok).toBe(false);
  });

  it('parses TRUST_PROXY as off, on, a hop count, a list of proxies, or Fly', () => {
    const trust = (value: string, extra: Record<string, string> = {}) => {
      const result = parseWebConfig(testEnv({ TRUST_PROXY: value, ...extra }));
      return result.ok ? result.config.trustProxy : 'invalid';
    };
    expect(trust('false')).toEqual({ kind: 'none' });
    expect(trust('true')).toEqual({ kind: 'all' });
    expect(trust('1')).toEqual({ kind: 'hops', hops: 1 });
    expect(trust('10.0.0.1, 10.0.0.0/8')).toEqual({ kind: 'addresses', addresses: ['10.0.0.1', '10.0.0.0/8'] });
    expect(trust('', { FLY_APP_NAME: 'x' })).toEqual({ kind: 'fly' });
    expect(trust('fly')).toBe('invalid');
  });

  it('accepts API_CLIENT_IDS next to FIEF_CLIENT_ID', () => {
    const result = parseWebConfig(testEnv({ API_CLIENT_IDS: ' script , cron,,script' }));
    expect(result.ok && result.config.apiClientIds).toEqual(['fief-exporter', 'script', 'cron']);
  });

  it('reads SECRET_PREVIOUS as a comma-separated list of earlier secrets, each at least 32 bytes, never echoed', () => {
    const older = 'o'.repeat(32);
    const oldest = 'p'.repeat(40);
    const result = parseWebConfig(testEnv({ SECRET_PREVIOUS: ` ${older} ,, ${oldest}` }));
    expect(result.ok && result.config.previousSecrets).toEqual([older, oldest]);
    const none = parseWebConfig(testEnv({}));
    expect(none.ok && none.config.previousSecrets).toEqual([]);
    const short = parseWebConfig(testEnv({ SECRET_PREVIOUS: `${older},short-hunter2` }));
    expect(short.ok).toBe(false);
    if (short.ok) return;
    expect(short.problems).toEqual(['SECRET_PREVIOUS must be a comma-separated list of earlier SECRETs, each at least 32 bytes long']);
  });

  it('loadWebConfig throws one CONFIG_INVALID error carrying all problems', () => {
    expect(() => loadWebConfig({})).toThrowError(/has 7 problems:\n {2}- FIEF_BASE_URL is missing/);
  });
});
