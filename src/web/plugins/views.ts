/**
 * Server-rendered pages with Eta (auto-escaped `<%= %>`). Every page gets the same frame
 * (views/layout.eta) and the signed-in person, if any, so the header can offer "Sign out".
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import fp from 'fastify-plugin';
import { Eta } from 'eta';
import { dumpFileNameUtf8 } from '../../dump/filename.js';
import { importRecipe, shellQuote } from '../../import-recipe.js';
import { viewsDir } from '../../paths.js';
import type { PageData } from '../types.js';

function viewsPlugin(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  const eta = new Eta({ views: viewsDir, cache: true, autoEscape: true });
  app.decorateReply('page', function page(this: FastifyReply, view: string, data: PageData): FastifyReply {
    const signedIn = this.request.signedIn;
    const html = eta.render(view, {
      ...data,
      signedInAs: signedIn?.email || signedIn?.sub || null,
      // A fresh token per page, all derived from the session's one CSRF secret.
      csrf: signedIn === null ? null : this.generateCsrf(),
      demo: app.config.demo === true,
      // The one import recipe (src/import-recipe.ts) for the file a workspace downloads as.
      importRecipe,
      shellQuote,
      dumpFileName: dumpFileNameUtf8,
    });
    return this.type('text/html; charset=utf-8').send(html);
  });
  done();
}

export default fp(viewsPlugin, { name: 'fief-exporter-views' });
