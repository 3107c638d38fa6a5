/**
 * public/ (a stylesheet and an icon), read once at boot and served from memory: two small files
 * do not warrant a static-file server, and reading at boot fails fast if the package is incomplete.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { publicDir } from '../../paths.js';

const TYPES: Record<string, string> = { '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml' };

function staticAssetsPlugin(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  for (const name of readdirSync(publicDir)) {
    const type = TYPES[extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(join(publicDir, name));
    app.get(`/static/${name}`, { logLevel: 'warn' }, async (_request, reply) =>
      reply.type(type).header('cache-control', 'public, max-age=3600').send(body),
    );
  }
  done();
}

export default fp(staticAssetsPlugin, { name: 'fief-exporter-static-assets' });
