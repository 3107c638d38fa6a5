/**
 * A running exporter plus its Fief stand-in (the dev IdP) on loopback, with logs captured in
 * memory, for tests that need real HTTP (sign-in, downloads, the browser).
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { generateKey } from '../../../src/crypto/fernet.js';
import { buildApp, type AppDeps } from '../../../src/web/app.js';
import { parseWebConfig, type WebConfig } from '../../../src/web/config.js';
import { startDevIdp, type DevAccount, type DevIdp } from '../../../src/dev/idp.js';
import { freePort } from '../../helpers/pg-server.js';

export class LogCapture extends Writable {
  readonly lines: string[] = [];

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
    callback();
  }

  text(): string {
    return this.lines.join('\n');
  }

  entries(): Record<string, unknown>[] {
    return this.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  }
}

export const SCRIPT_CLIENT = { clientId: 'script', clientSecret: randomBytes(16).toString('hex'), redirectUri: 'http://127.0.0.1:9/cb' };

export interface StackOptions extends Omit<AppDeps, 'logStream'> {
  accounts: DevAccount[];
  databaseUrl?: string;
  encryptionKey?: string;
  env?: Record<string, string>;
  /** false: point the app at a port where no IdP listens (yet). */
  startIdp?: boolean;
}

export interface Stack {
  app: FastifyInstance;
  appUrl: string;
  config: WebConfig;
  logs: LogCapture;
  idp: DevIdp | null;
  idpPort: number;
  clientSecret: string;
  /** Starts the IdP on the port the app was configured with (for startIdp: false). */
  startIdp(): Promise<DevIdp>;
  close(): Promise<void>;
}

export function testEnv(overrides: Record<string, string> = {}): Record<string, string> {
  return {
    FIEF_BASE_URL: 'http://127.0.0.1:9',
    FIEF_CLIENT_ID: 'fief-exporter',
    FIEF_CLIENT_SECRET: randomBytes(16).toString('hex'),
    DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none',
    ENCRYPTION_KEY: generateKey(),
    SECRET: randomBytes(32).toString('base64'),
    PUBLIC_URL: 'http://127.0.0.1:3000',
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    ...overrides,
  };
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const [appPort, idpPort] = await twoFreePorts();
  const appUrl = `http://127.0.0.1:${appPort}`;
  const env = testEnv({
    FIEF_BASE_URL: `http://127.0.0.1:${idpPort}`,
    PUBLIC_URL: appUrl,
    PORT: String(appPort),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.encryptionKey ? { ENCRYPTION_KEY: options.encryptionKey } : {}),
    ...options.env,
  });
  const parsed = parseWebConfig(env);
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const config = parsed.config;
  const clientSecret = config.fiefClientSecret;
  let idp: DevIdp | null = null;
  const launchIdp = async () => {
    idp = await startDevIdp({
      port: idpPort,
      accounts: options.accounts,
      clients: [
        { clientId: config.fiefClientId, clientSecret, redirectUris: [`${appUrl}/auth/callback`] },
        { clientId: SCRIPT_CLIENT.clientId, clientSecret: SCRIPT_CLIENT.clientSecret, redirectUris: [SCRIPT_CLIENT.redirectUri] },
      ],
    });
    return idp;
  };
  if (options.startIdp !== false) await launchIdp();

  const logs = new LogCapture();
  const { accounts: _accounts, databaseUrl: _db, encryptionKey: _key, env: _env, startIdp: _start, ...deps } = options;
  const app = await buildApp(config, { ...deps, logStream: logs, signInRetry: deps.signInRetry ?? { initialDelayMs: 50, maxDelayMs: 200, timeoutMs: 2000 } });
  await app.listen({ port: appPort, host: '127.0.0.1' });
  await waitFor(() => options.startIdp === false || app.signIn.state === 'ready');
  return {
    app,
    appUrl,
    config,
    logs,
    get idp() {
      return idp;
    },
    idpPort,
    clientSecret,
    startIdp: launchIdp,
    async close() {
      await app.close();
      await idp?.close();
    },
  };
}

/** Two distinct free ports (the OS may hand the same one out twice in a row). */
export async function twoFreePorts(): Promise<[number, number]> {
  const first = await freePort();
  let second = await freePort();
  while (second === first) second = await freePort();
  return [first, second];
}

export async function waitFor(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((r) => setTimeout(r, 20));
  }
}
