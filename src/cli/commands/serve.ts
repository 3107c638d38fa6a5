/**
 * `fief-exporter serve`: the web exporter. All configuration comes from the environment
 * (validated at once, every problem listed, exit 1). On SIGTERM/SIGINT it stops starting new
 * exports, lets running ones finish for a grace period, then closes.
 */
import type { Command } from 'commander';
import type { Env } from '../../web/config.js';

/** How long running downloads may take to finish after a stop signal (orchestrators kill at ~30 s). */
const SHUTDOWN_GRACE_MS = 25_000;

export async function serveCommand(env: Env = process.env): Promise<void> {
  // Loaded here: every other command (export, import) starts without Fastify in memory.
  const [{ loadWebConfig }, { buildApp }] = await Promise.all([import('../../web/config.js'), import('../../web/app.js')]);
  const config = loadWebConfig(env);
  const app = await buildApp(config);
  await app.listen({ host: config.host, port: config.port });

  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.off('SIGTERM', stop);
      process.off('SIGINT', stop);
      app.log.info({ signal, runningExports: app.exporter.slots.active }, 'stopping: draining running exports');
      app.exporter.slots.stopAccepting();
      const deadline = Date.now() + SHUTDOWN_GRACE_MS;
      const timer = setInterval(() => {
        if (app.exporter.slots.active > 0 && Date.now() < deadline) return;
        clearInterval(timer);
        app.close().then(resolve, (err: unknown) => {
          app.log.error({ err }, 'error while closing');
          resolve();
        });
      }, 200);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
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
