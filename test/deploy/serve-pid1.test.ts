/**
 * The image's command as a container runs it: PID 1 of its own PID namespace, where the kernel
 * gives a process no default signal action (a SIGTERM or SIGINT it does not handle itself is
 * dropped, and `docker stop` waits its 10 s before SIGKILL). `unshare` stands in for Docker,
 * which cannot pull images here; the signals come from outside the namespace, as Docker's do.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startDevIdp, type DevIdp } from '../../src/dev/idp.js';
import { packageRoot } from '../../src/paths.js';
import { freePort } from '../helpers/pg-server.js';
import { signedInBrowser } from '../web/helpers/browser-session.js';
import { seedWebFixture, type WebFixture } from '../web/helpers/fixture.js';
import { pausedDownload } from '../web/helpers/raw-download.js';
import { buildOnce } from './helpers/build.js';
import { imageCommand, imageEnv } from './helpers/dockerfile.js';
import { cleanEnv, namespaceInit, spawnCaptured, stop, waitForStatus, type Spawned } from './helpers/processes.js';

const CLIENT = { clientId: 'fief-exporter', clientSecret: randomBytes(16).toString('hex') };
const ports: number[] = [];
let fixture: WebFixture;
let idp: DevIdp;
let container: Spawned | undefined;

beforeAll(async () => {
  await buildOnce();
  fixture = await seedWebFixture({ largeUsers: 12_000 });
  for (let i = 0; i < 6; i++) ports.push(await freePort());
  const redirectUris = ports.map((port) => `http://127.0.0.1:${port}/auth/callback`);
  idp = await startDevIdp({ accounts: fixture.accounts, clients: [{ ...CLIENT, redirectUris }] });
}, 240_000);

afterEach(async () => {
  // unshare's child is the namespace's init: killing it ends everything in the namespace.
  if (container) await stop(container, 'SIGKILL', 5000);
  container = undefined;
});

afterAll(async () => {
  await idp?.close();
});

/** The image's command with the image's ENV and an operator's settings, as PID 1. */
async function startAsPid1(): Promise<{ init: number; url: string }> {
  const port = ports.shift()!;
  const url = `http://127.0.0.1:${port}`;
  const env = cleanEnv({
    ...imageEnv(),
    PORT: String(port),
    FIEF_BASE_URL: idp.issuer,
    FIEF_CLIENT_ID: CLIENT.clientId,
    FIEF_CLIENT_SECRET: CLIENT.clientSecret,
    DATABASE_URL: fixture.databaseUrl,
    ENCRYPTION_KEY: fixture.encryptionKey,
    SECRET: randomBytes(32).toString('base64'),
    PUBLIC_URL: url,
    LOG_LEVEL: 'warn',
  });
  container = spawnCaptured('unshare', ['--pid', '--fork', '--mount-proc', '--', ...imageCommand()], { cwd: packageRoot, env });
  return { init: await namespaceInit(container), url };
}

/** The container's exit status if it ends within `ms`, else 'still running'. */
async function exitWithin(ms: number): Promise<unknown> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running'), ms)));
  try {
    return await Promise.race([container!.exited, late]);
  } finally {
    clearTimeout(timer);
  }
}

describe('serve as a container PID 1', () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    it(`stops on ${signal} sent from outside, within 5 s`, { timeout: 120_000 }, async () => {
      const { init, url } = await startAsPid1();
      await waitForStatus(`${url}/healthz`, 200, 60_000, container);
      process.kill(init, signal);
      expect(await exitWithin(5000)).toEqual({ code: 0, signal: null });
    });

    it(`stops on ${signal} while it is still starting, before it listens`, { timeout: 120_000 }, async () => {
      const { init } = await startAsPid1();
      // Every 20 ms from its first instant: the first one it can act on ends it. One dropped
      // until it listens lets it start, and then the orderly stop's exit code 0 tells.
      const repeat = setInterval(() => {
        try {
          process.kill(init, signal);
        } catch {
          // ended between two signals: the exit status below tells how
        }
      }, 20);
      try {
        expect(await exitWithin(30_000)).toEqual({ code, signal: null });
      } finally {
        clearInterval(repeat);
      }
    });
  }

  it('a second SIGTERM ends it at once while it waits for a running download', { timeout: 120_000 }, async () => {
    const { init, url } = await startAsPid1();
    await waitForStatus(`${url}/healthz`, 200, 60_000, container);
    const carol = await signedInBrowser(url, fixture.accounts[2]!.email);
    const large = fixture.workspaces.find((w) => w.name === 'Grand Dump')!;
    const download = await pausedDownload(url, carol, large.id);
    try {
      process.kill(init, 'SIGTERM');
      // Draining: the running export may take its grace period (25 s) to finish.
      expect(await exitWithin(2000)).toBe('still running');
      process.kill(init, 'SIGTERM');
      expect(await exitWithin(5000)).toEqual({ code: 143, signal: null });
    } finally {
      download.destroy();
    }
  });
});
