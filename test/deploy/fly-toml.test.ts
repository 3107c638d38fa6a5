/**
 * fly.toml against the app itself: Fly sends traffic to internal_port and health checks to a
 * path, so both must be what the app really uses — the port its config defaults to (and [env]
 * sets), the path its health route answers 200 on — and [env] must pass the config loader.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { parseWebConfig, type Env } from '../../src/web/config.js';
import { packageRoot } from '../../src/paths.js';

interface FlyToml {
  app?: string;
  primary_region?: string;
  env?: Record<string, string>;
  http_service?: {
    internal_port?: number;
    force_https?: boolean;
    auto_stop_machines?: string | boolean;
    auto_start_machines?: boolean;
    concurrency?: { type?: string; soft_limit?: number; hard_limit?: number };
    checks?: { path?: string; method?: string; interval?: string; timeout?: string }[];
  };
}

const fly = parse(readFileSync(join(packageRoot, 'fly.toml'), 'utf8')) as FlyToml;
const service = fly.http_service ?? {};
const env = fly.env ?? {};

/** The secrets `fly secrets set` provides, with valid placeholder values (a closed loopback port
 * as Fief: the app's background OIDC discovery must not reach out to the internet). */
const SECRETS: Env = {
  FIEF_BASE_URL: 'http://127.0.0.1:9',
  FIEF_CLIENT_ID: 'client',
  FIEF_CLIENT_SECRET: 'client-secret',
  DATABASE_URL: 'postgres://fief:pw@db.internal:5432/fief',
  ENCRYPTION_KEY: 'dGhpcyBpcyBhIDMyIGJ5dGUga2V5IGZvciBmZXJuZXQ=',
  SECRET: 'a-random-cookie-secret-of-at-least-32-bytes',
  PUBLIC_URL: 'https://exporter.example.com',
};

function configOf(extra: Env) {
  const result = parseWebConfig({ ...SECRETS, ...extra });
  if (!result.ok) throw new Error(`config rejected: ${result.problems.join('; ')}`);
  return result.config;
}

describe('fly.toml', () => {
  it('names the app and a primary region', () => {
    expect(fly.app).toMatch(/^[a-z0-9-]+$/);
    expect(fly.primary_region).toMatch(/^[a-z]{3}$/);
  });

  it('sends traffic to the port the app listens on, by default and as configured in [env]', () => {
    const defaultPort = configOf({}).port;
    expect(service.internal_port).toBe(defaultPort);
    expect(configOf(env).port).toBe(service.internal_port);
    // Inside a machine the proxy connects from outside the loopback interface.
    expect(configOf(env).host).toBe('0.0.0.0');
  });

  it('has [env] settings that the config loader accepts, and no secret in them', () => {
    const result = parseWebConfig({ ...SECRETS, ...env });
    expect(result.ok ? [] : result.problems).toEqual([]);
    expect(Object.keys(env).sort()).toEqual(expect.arrayContaining(['EXPORT_CONCURRENCY', 'HOST', 'PORT', 'PUBLIC_URL']));
    for (const secret of ['FIEF_CLIENT_SECRET', 'DATABASE_URL', 'ENCRYPTION_KEY', 'SECRET', 'FIEF_CLIENT_ID', 'FIEF_BASE_URL']) {
      expect(env).not.toHaveProperty(secret);
    }
    expect(env.PUBLIC_URL).toMatch(/^https:\/\//);
  });

  it('forces https and lets Fly stop and start machines', () => {
    expect(service.force_https).toBe(true);
    expect(service.auto_stop_machines).toBeTruthy();
    expect(service.auto_start_machines).toBe(true);
  });

  it('limits concurrency in line with EXPORT_CONCURRENCY', () => {
    const exportConcurrency = configOf(env).exportConcurrency;
    expect(service.concurrency?.type).toBe('requests');
    expect(service.concurrency?.soft_limit).toBe(exportConcurrency);
    expect(service.concurrency?.hard_limit).toBeGreaterThan(exportConcurrency);
  });

  it('health-checks a path the app answers 200 on without a database or Fief', async () => {
    const checks = service.checks ?? [];
    expect(checks).toHaveLength(1);
    const check = checks[0]!;
    expect(check.method ?? 'GET').toBe('GET');
    const app = await buildApp(configOf({ ...env, LOG_LEVEL: 'silent' }), {
      workspaces: {
        listForMember: () => Promise.resolve([]),
        ping: () => Promise.reject(new Error('no database in this test')),
        close: () => Promise.resolve(),
      },
      openExport: () => Promise.reject(new Error('no exports in this test')),
    });
    try {
      // Liveness must not depend on the database: a database outage must not get machines restarted.
      const response = await app.inject({ method: 'GET', url: check.path ?? '' });
      expect(response.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
