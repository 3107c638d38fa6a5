/**
 * The same two things for scripts: list my workspaces, download one. Authenticated with a Fief
 * access token (Authorization: Bearer), never with the browser cookie, so a third-party page
 * cannot make a browser call these. Same membership rules as the pages.
 */
import type { FastifyInstance } from 'fastify';
import { requireBearer } from '../src/web/guards.js';
import { workspaceIdParams } from './workspaces.js';

export default function apiRoutes(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  app.addHook('onRequest', requireBearer);

  app.get('/api/workspaces', async (request, reply) => {
    const workspaces = await app.workspaces.listForMember(request.apiIdentity!.sub);
    return reply.header('cache-control', 'no-store').send({ workspaces });
  });

  app.get<{ Params: { id: string }; Querystring: { gzip?: string } }>(
    '/api/workspaces/:id/export',
    {
      schema: {
        params: workspaceIdParams,
        querystring: { type: 'object', properties: { gzip: { type: 'string', enum: ['0', '1', 'true', 'false'] } } },
      },
    },
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
  done();
}
