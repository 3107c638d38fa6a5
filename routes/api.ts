/**
 * The same things for scripts: list my workspaces, download one, or all of them as one zip.
 * Authenticated with a Fief access token (Authorization: Bearer), never with the browser
 * cookie, so a third-party page cannot make a browser call these. Same membership rules as the
 * pages. Every answer under /api, errors and unknown URLs included, is JSON (the routes'
 * `problemFormat` flag).
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireBearer } from '../src/web/guards.js';
import { HttpProblem } from '../src/web/http-problem.js';
import { sendProblem } from '../src/web/plugins/errors.js';
import { ExportQuery, WorkspaceIdParams, WorkspaceList } from '../src/web/schemas.js';

/** Loaded by @fastify/autoload under this prefix. */
export const autoPrefix = '/api';

const API = { problemFormat: 'json' } as const;

export default function apiRoutes(instance: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/workspaces', { config: API, onRequest: requireBearer, schema: { response: { 200: WorkspaceList } } }, async (request, reply) => {
    const workspaces = await app.workspaces.listForMember(request.apiIdentity!.sub);
    return reply.header('cache-control', 'no-store').send({ workspaces });
  });

  app.get(
    '/workspaces/:id/export',
    { config: API, onRequest: requireBearer, schema: { params: WorkspaceIdParams, querystring: ExportQuery } },
    async (request, reply) => {
      const gzip = request.query.gzip === '1' || request.query.gzip === 'true';
      await app.exporter.send(request, reply, {
        sub: request.apiIdentity!.sub,
        workspaceId: request.params.id.toLowerCase(),
        gzip,
        via: 'api',
      });
    },
  );

  // Every workspace of mine as one zip.
  app.get('/export', { config: API, onRequest: requireBearer }, async (request, reply) => {
    await app.exporter.send(request, reply, { sub: request.apiIdentity!.sub, workspaceId: null, gzip: false, via: 'api' });
  });

  // Unknown URLs under /api: no route, so no flag to read; JSON all the same.
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new HttpProblem(404, 'Page not found', 'There is nothing at this address.'), API.problemFormat),
  );
  done();
}
