/**
 * `fief-exporter serve`: the web exporter. All configuration comes from the environment
 * (validated at once, every problem listed, exit 1). On SIGTERM/SIGINT it stops starting new
 * exports, lets running ones finish for a grace period, then closes; a second signal, or one
 * before it listens, ends it at once (exit 128 + the signal's number).
 */
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Env } from '../../web/config.js';
import { exitOnSignals, type StopSignal } from '../../signal-exit.js';

/** How long running downloads may take to finish after a stop signal (orchestrators kill at ~30 s). */
const SHUTDOWN_GRACE_MS = 25_000;
const STOP_SIGNALS: readonly StopSignal[] = ['SIGTERM', 'SIGINT'];

export async function serveCommand(env: Env = process.env): Promise<void> {
  // Until it listens, a signal ends it at once (there is nothing to drain yet). As a container's
  // PID 1, the image's command, a signal it does not handle would be dropped (src/signal-exit.ts).
  const releaseStartSignals = exitOnSignals(STOP_SIGNALS);
  let app: FastifyInstance;
  try {
    // Loaded here: every other command (export, import) starts without Fastify in memory.
    const [{ loadWebConfig }, { buildApp }] = await Promise.all([import('../../web/config.js'), import('../../web/app.js')]);
    const config = loadWebConfig(env);
    app = await buildApp(config);
    await app.listen({ host: config.host, port: config.port });
  } finally {
    releaseStartSignals();
  }

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      for (const s of STOP_SIGNALS) process.off(s, stop);
      // A second signal ends it at once, as it would a process with default signal actions.
      const releaseDrainSignals = exitOnSignals(STOP_SIGNALS);
      app.log.info({ signal, runningExports: app.exporter.slots.active }, 'stopping: draining running exports');
      app.exporter.slots.stopAccepting();
      const deadline = Date.now() + SHUTDOWN_GRACE_MS;
      const timer = setInterval(() => {
        if (app.exporter.slots.active > 0 && Date.now() < deadline) return;
        clearInterval(timer);
        const closed = () => {
          releaseDrainSignals();
          resolve();
        };
        app.close().then(closed, (err: unknown) => {
          app.log.error({ err }, 'error while closing');
          closed();
        });
      }, 200);
    };
    for (const s of STOP_SIGNALS) process.on(s, stop);
  });
}

export function register(program: Command): void {
  program
    .command('serve')
    .description(
      'Run the web exporter. Configured by the environment: FIEF_BASE_URL, FIEF_CLIENT_ID, FIEF_CLIENT_SECRET, DATABASE_URL, ' +
        'ENCRYPTION_KEY, SECRET, PUBLIC_URL, and optionally HOST (127.0.0.1), PORT (3000), EXPORT_CONCURRENCY (4), ' +
        'EXPORT_STALL_TIMEOUT (60), EXPORT_MAX_SECONDS (3600), AUTH_RATE_LIMIT_PER_MINUTE (30), API_CLIENT_IDS, ' +
        'API_RATE_LIMIT_PER_MINUTE (60), TRUST_PROXY (false; fly on Fly.io), LOG_LEVEL (info).',
    )
    .action(() => serveCommand());
}
