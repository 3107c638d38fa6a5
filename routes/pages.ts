/** Public pages: the landing page and the import instructions. */
import type { FastifyInstance } from 'fastify';

export default function pageRoutes(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  app.get('/', async (request, reply) => {
    if (request.signedIn !== null) return reply.redirect('/workspaces', 303);
    return reply.page('landing', { title: 'Export your Fief Cloud workspaces', signInState: app.signIn.state });
  });

  app.get('/next-steps', async (_request, reply) => reply.page('next-steps', { title: 'Import your export into Fief 0.28+' }));
  done();
}
