/**
 * The signed-in person's workspaces, and the Export data button behind each (a form POST with
 * the session's CSRF token; the response is the download itself), plus Export all my
 * workspaces (one zip) when there are several.
 */
import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { requireCsrf, requireSession } from '../src/web/guards.js';
import { ExportForm, WorkspaceIdParams } from '../src/web/schemas.js';

export default function workspaceRoutes(instance: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  const app = instance.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/workspaces', { onRequest: requireSession }, async (request, reply) => {
    const workspaces = await app.workspaces.listForMember(request.signedIn!.sub);
    return reply.header('cache-control', 'no-store').page('workspaces', { title: 'Your workspaces', workspaces, apiClientIds: app.config.apiClientIds });
  });

  app.post(
    '/workspaces/:id/export',
    { onRequest: requireSession, preValidation: requireCsrf, schema: { params: WorkspaceIdParams, body: ExportForm } },
    async (request, reply) => {
      await app.exporter.send(request, reply, {
        sub: request.signedIn!.sub,
        workspaceId: request.params.id.toLowerCase(),
        gzip: request.body?.gzip === 'on' || request.body?.gzip === '1',
        via: 'web',
      });
    },
  );

  // Every workspace at once: one zip, one export slot.
  app.post('/workspaces/export', { onRequest: requireSession, preValidation: requireCsrf }, async (request, reply) => {
    await app.exporter.send(request, reply, { sub: request.signedIn!.sub, workspaceId: null, gzip: false, via: 'web' });
  });
  done();
}
