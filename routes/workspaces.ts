/**
 * The signed-in person's workspaces, and the Export data button behind each (a form POST with
 * the session's CSRF token; the response is the download itself).
 */
import type { FastifyInstance } from 'fastify';
import { requireCsrf, requireSession } from '../src/web/guards.js';

export const workspaceIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', format: 'uuid' } },
} as const;

export default function workspaceRoutes(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  app.get('/workspaces', { onRequest: requireSession }, async (request, reply) => {
    const session = request.session!;
    const workspaces = await app.workspaces.listForMember(session.sub);
    return reply.header('cache-control', 'no-store').page('workspaces', { title: 'Your workspaces', workspaces });
  });

  app.post<{ Params: { id: string }; Body: { gzip?: string } }>(
    '/workspaces/:id/export',
    { onRequest: requireSession, preValidation: requireCsrf, schema: { params: workspaceIdParams } },
    async (request, reply) => {
      await app.exporter.send(request, reply, {
        sub: request.session!.sub,
        workspaceId: request.params.id.toLowerCase(),
        gzip: request.body?.gzip === 'on' || request.body?.gzip === '1',
        via: 'web',
      });
    },
  );
  done();
}
