/**
 * Probes for the orchestrator. Liveness is the process answering; readiness is the legacy main
 * database answering, since every useful page needs it. Sign-in state is reported, not gated
 * on: while Fief is down the app still has to serve its "sign-in unavailable" page.
 */
import type { FastifyInstance } from 'fastify';

const PING_TIMEOUT_MS = 2000;

export default function healthRoutes(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  app.get('/healthz', { logLevel: 'warn' }, async (_request, reply) => reply.header('cache-control', 'no-store').send({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (request, reply) => {
    void reply.header('cache-control', 'no-store');
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        app.workspaces.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timed out')), PING_TIMEOUT_MS);
        }),
      ]);
      return reply.send({ status: 'ready', database: 'ok', signIn: app.signIn.state });
    } catch (err) {
      request.log.warn({ reason: err instanceof Error ? err.message : String(err) }, 'not ready: main database unreachable');
      return reply.code(503).send({ status: 'unavailable', database: 'unreachable', signIn: app.signIn.state });
    } finally {
      clearTimeout(timer);
    }
  });
  done();
}
