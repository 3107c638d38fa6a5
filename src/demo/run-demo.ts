/**
 * `fief-exporter demo`: everything needed to try the exporter, on this machine, with no
 * configuration: an embedded PostgreSQL holding a seeded legacy Fief Cloud, a development Fief
 * stand-in to sign in with, and the exporter itself. Resolves once the demo has stopped.
 */
import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ExporterError, UsageError } from '../errors.js';
import { buildApp } from '../web/app.js';
import { parseWebConfig, type WebConfig } from '../web/config.js';
import { DEMO_PASSWORD, demoConfig, welcomeText, withoutInMemoryAdapterWarning } from './banner.js';
import { demoPaths, prepareDataDir } from './data-dir.js';
import { demoEnvCommand } from './demo-env.js';
import { loadOrCreateDemoState, saveDemoState } from './demo-state.js';
import { startEmbeddedPostgres } from './embedded-postgres.js';
import { loadOptionalPackage } from '../optional-package.js';
import { DemoLifecycle } from './lifecycle.js';
import { ensureDemoSeed } from './seed-demo.js';
import { watchParent } from './watchdogs.js';

export interface DemoIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

const CLIENT_ID = 'fief-exporter-demo';
const APP_CLOSE_TIMEOUT_MS = 5000;

function demoPort(env: NodeJS.ProcessEnv): number {
  const raw = env.PORT?.trim() || '3000';
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) throw new UsageError(`PORT must be a whole number from 1 to 65535 (got ${JSON.stringify(raw)})`);
  return Number(raw);
}

function listenError(err: unknown, host: string, port: number): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new ExporterError('CONFIG_INVALID', `port ${port} is already in use; stop the program using it or start the demo with PORT set to another port`);
  }
  if (code === 'EADDRNOTAVAIL') return new ExporterError('CONFIG_INVALID', `cannot listen on ${host}: no such address on this machine (check HOST)`);
  return err;
}

/** Fails fast, before anything is started, when the port is taken (listen() still checks). */
async function checkPortFree(host: string, port: number): Promise<void> {
  const probe = net.createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ host, port }, resolve);
    });
  } catch (err) {
    throw listenError(err, host, port);
  } finally {
    await new Promise((resolve) => probe.close(resolve));
  }
}

async function listen(app: FastifyInstance, config: WebConfig): Promise<void> {
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (err) {
    throw listenError(err, config.host, config.port);
  }
}

/** Fastify's close waits for running downloads; the demo gives them a few seconds, then cuts them. */
async function closeApp(app: FastifyInstance): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, APP_CLOSE_TIMEOUT_MS)));
  await Promise.race([app.close(), timedOut]);
  clearTimeout(timer);
  app.server.closeAllConnections();
}

export async function runDemo(env: NodeJS.ProcessEnv, io: DemoIo): Promise<void> {
  const say = (line: string) => void io.stderr.write(`${line}\n`);
  const port = demoPort(env);
  const host = env.HOST?.trim() || '127.0.0.1';
  await checkPortFree(host, port);
  const paths = demoPaths(env);
  prepareDataDir(paths, say);
  const { state } = loadOrCreateDemoState(paths.stateFile);

  const lifecycle = new DemoLifecycle(say);
  // `npm start` and `npx` run the demo under a shell that a signal to npm may end without us.
  const stopWatching = watchParent(() => lifecycle.requestStop('the process that started it has ended'));
  try {
    say(`Starting the demo's PostgreSQL (data in ${paths.postgresDir})...`);
    const postgres = await startEmbeddedPostgres(paths.postgresDir, state.postgresPassword);
    lifecycle.started('embedded PostgreSQL server', () => postgres.stop(), () => postgres.kill());
    if (lifecycle.stopRequested) return;

    const { record, seededNow } = await ensureDemoSeed(state, postgres.urlFor, say);
    if (seededNow) saveDemoState(paths.stateFile, { ...state, seed: record });
    if (lifecycle.stopRequested) return;

    const publicUrl = `http://localhost:${port}`;
    // Loaded here, not at the top: oidc-provider (optional) is only needed once the demo really starts.
    const { startDevIdp } = await loadOptionalPackage('oidc-provider', 'the demo', () => import('../dev/idp.js'));
    const idp = await withoutInMemoryAdapterWarning(() =>
      startDevIdp({
        accounts: record.accounts.map((a) => ({ ...a, password: DEMO_PASSWORD })),
        ...(record.accounts[0] ? { hint: { email: record.accounts[0].email, password: DEMO_PASSWORD } } : {}),
        clients: [{ clientId: CLIENT_ID, clientSecret: state.clientSecret, redirectUris: [`${publicUrl}/auth/callback`], postLogoutRedirectUris: [`${publicUrl}/`] }],
      }),
    );
    lifecycle.started('development Fief stand-in', () => idp.close());

    // The same loader as `serve`, so the demo runs exactly the configuration rules of production.
    const parsed = parseWebConfig({
      FIEF_BASE_URL: idp.issuer,
      FIEF_CLIENT_ID: CLIENT_ID,
      FIEF_CLIENT_SECRET: state.clientSecret,
      DATABASE_URL: postgres.urlFor(record.database),
      ENCRYPTION_KEY: state.encryptionKey,
      SECRET: state.secret,
      PUBLIC_URL: publicUrl,
      HOST: host,
      PORT: String(port),
      EXPORT_CONCURRENCY: env.EXPORT_CONCURRENCY,
      LOG_LEVEL: env.LOG_LEVEL?.trim() || 'warn',
    });
    if (!parsed.ok) throw new ExporterError('CONFIG_INVALID', `the demo's configuration is invalid: ${parsed.problems.join('; ')}`);
    const app = await buildApp(demoConfig(parsed.config));
    lifecycle.started('exporter web server', () => closeApp(app));
    if (lifecycle.stopRequested) return;
    await listen(app, parsed.config);

    const account = record.accounts[0];
    if (!account) throw new ExporterError('INPUT_ERROR', `the demo seed in ${paths.stateFile} has no accounts; delete ${paths.root} to start afresh`);
    const database = { port: postgres.port, database: record.database };
    io.stdout.write(welcomeText({ url: publicUrl, account, seed: record, dataDir: paths.root, database, envCommand: demoEnvCommand(env) }));
    await lifecycle.stopSignal;
  } catch (err) {
    // A Ctrl-C in a terminal also reaches PostgreSQL, whose going away then fails whatever step
    // was running: that is the stop the person asked for, not an error. The signal and the
    // broken connection race, hence the short wait before deciding.
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (!lifecycle.stopRequested) throw err;
  } finally {
    stopWatching();
    await lifecycle.stopAll();
    if (lifecycle.stopRequested) say('Demo stopped.');
  }
}
