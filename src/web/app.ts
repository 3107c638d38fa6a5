/**
 * The web exporter, composed like fastify/demo: transport plugins first, then the shared
 * services as typed decorators (src/web/types.ts), then every file of routes/, loaded by
 * @fastify/autoload. `buildApp` does not listen: tests inject requests, `fief-exporter serve` listens.
 */
import { fileURLToPath } from 'node:url';
import fastifyAutoload from '@fastify/autoload';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { DestinationStream } from 'pino';
import type { WebConfig } from './config.js';
import { loggerOptions } from './logger.js';
import { fastifyTrustProxy, useFlyClientIp } from './trust-proxy.js';
import { newRequestId } from './request-id.js';
import errorsPlugin from './plugins/errors.js';
import securityPlugin from './plugins/security.js';
import sessionPlugin from './plugins/session.js';
import staticAssetsPlugin from './plugins/static-assets.js';
import viewsPlugin from './plugins/views.js';
import { ExportService } from './services/export-service.js';
import { ExportSlots } from './services/export-slots.js';
import { createLegacyArchiveExport, createLegacyExport, createLegacyWorkspaceDirectory } from './services/legacy-adapter.js';
import type { OpenArchiveExport, OpenExport, WorkspaceDirectory } from './services/contracts.js';
import { withListCache } from './services/workspace-cache.js';
import { DEFAULT_RETRY, SignInService, type RetryPolicy } from './services/sign-in.js';
import { AccessTokenVerifier } from './services/access-token.js';

/** routes/ at the package root: ../../routes from src/web (tsx, tests) and from dist/src/web (the build). */
const ROUTES_DIR = fileURLToPath(new URL('../../routes', import.meta.url));

/** One log line per request, on completion, instead of Fastify's two: half the volume, same facts. */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (this.isLogDisabled(request)) return;
    const fields = { req: request, res: reply, responseTime: Math.round(reply.elapsedTime) };
    if (error) reply.log.error({ ...fields, err: error }, 'request errored');
    else reply.log.info(fields, 'request completed');
  }
}

export interface AppDeps {
  /** Where log lines go (default stdout); tests pass a stream to inspect them. */
  logStream?: DestinationStream;
  /** The legacy catalog (default: a pg pool on DATABASE_URL over src/legacy/). */
  workspaces?: WorkspaceDirectory;
  /** The dump engine (default: src/dump/ openWorkspaceDump on DATABASE_URL). */
  openExport?: OpenExport;
  /** Every workspace of a person as one zip (default: src/archive/ on DATABASE_URL). */
  openArchive?: OpenArchiveExport;
  /** How OIDC discovery is retried while Fief is unreachable. */
  signInRetry?: RetryPolicy;
  /** How long a person's workspace list is cached (0: not at all). */
  workspaceListTtlMs?: number;
}

export async function buildApp(config: WebConfig, deps: AppDeps = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: { ...loggerOptions(config), ...(deps.logStream ? { stream: deps.logStream } : {}) },
    trustProxy: fastifyTrustProxy(config.trustProxy),
    genReqId: newRequestId,
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    // close() ends every socket, downloads included: `serve` first drains running exports for a
    // grace period, and a cut dump is harmless (it never reaches its COMMIT).
    forceCloseConnections: true,
    logController: new OneLinePerRequest(),
  });

  // 1. Plugins: configuration first (others read it), then transport, sessions, views, errors.
  app.decorate('config', config);
  useFlyClientIp(app, config.trustProxy);
  await app.register(securityPlugin);
  await app.register(sessionPlugin);
  await app.register(viewsPlugin);
  await app.register(errorsPlugin);
  await app.register(staticAssetsPlugin);

  // 2. Shared services.
  const signIn = new SignInService(config, app.log.child({ component: 'sign-in' }), deps.signInRetry ?? DEFAULT_RETRY);
  const directory = deps.workspaces ?? createLegacyWorkspaceDirectory(config);
  const workspaces = withListCache(directory, deps.workspaceListTtlMs ?? 5000);
  const openExport = deps.openExport ?? createLegacyExport(config);
  app.decorate('signIn', signIn);
  app.decorate('workspaces', workspaces);
  const openArchive = deps.openArchive ?? createLegacyArchiveExport(config);
  const downloadLimits = { stallMs: config.exportStallTimeoutSeconds * 1000, maxMs: config.exportMaxSeconds * 1000 };
  app.decorate('exporter', new ExportService(openExport, new ExportSlots(config.exportConcurrency), downloadLimits, openArchive));
  app.decorate('accessTokens', new AccessTokenVerifier(config.apiClientIds, () => signIn.metadata));
  // Discovery starts once the app is ready and never blocks it (Fief may be down at boot).
  app.addHook('onReady', (done) => {
    signIn.start();
    done();
  });
  app.addHook('onClose', async () => {
    await signIn.close();
    if (deps.workspaces === undefined) await workspaces.close();
  });

  // 3. Routes: each file of routes/ is its own encapsulated plugin.
  // Running from source (this file is .ts), a TypeScript loader is active; autoload recognises
  // vitest on its own but not `node --import tsx`, so tell it.
  if (import.meta.url.endsWith('.ts')) process.env.FASTIFY_AUTOLOAD_TYPESCRIPT ??= '1';
  await app.register(fastifyAutoload, { dir: ROUTES_DIR });
  return app;
}
