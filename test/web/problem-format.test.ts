/**
 * Errors are JSON for the routes flagged so (every /api route, and unknown URLs under /api),
 * pages for the others, whatever the URL looks like; /api answers are shaped by their schemas.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { parseWebConfig } from '../../src/web/config.js';
import { fakeLegacy } from './helpers/fakes.js';
import { testEnv } from './helpers/stack.js';

const anne = 'a0000000-0000-4000-8000-000000000001';
const ws = { id: 'c0ffee00-0000-4000-8000-000000000001', name: 'Bretagne', domain: 'bretagne.fief.dev', usersCount: 3 };

describe('error format and API shapes', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    const parsed = parseWebConfig(testEnv({}));
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    // The directory hands back more than a summary: the API's response schema keeps it out.
    const legacy = fakeLegacy([{ ...ws, databaseUrl: 'postgres://secret@internal/db' } as typeof ws], { [ws.id]: [anne] });
    app = await buildApp(parsed.config, { workspaces: legacy.workspaces, openExport: legacy.openExport, workspaceListTtlMs: 0 });
    await app.ready();
    app.tokenIdentities.set('token-of-anne', { sub: anne, email: 'anne@example.com' });
  });
  afterAll(() => app.close());

  it.each([
    ['GET', '/api/workspaces', 401],
    ['GET', `/api/workspaces/not-a-uuid/export`, 401],
    ['GET', '/api/nowhere', 404],
    ['GET', '/api', 404],
  ] as const)('%s %s answers JSON (%i)', async (method, url, status) => {
    const response = await app.inject({ method, url });
    expect(response.statusCode).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.json<{ error: { status: number } }>().error.status).toBe(status);
  });

  it.each([
    ['GET', '/apiary', 404],
    ['POST', '/workspaces/not-a-uuid/export', 303],
  ] as const)('%s %s answers a page (%i)', async (method, url, status) => {
    const response = await app.inject({ method, url });
    expect(response.statusCode).toBe(status);
    if (status !== 303) expect(response.headers['content-type']).toMatch(/^text\/html/);
  });

  it('validates the params of an API route against its schema, as JSON', async () => {
    const response = await app.inject({ url: '/api/workspaces/not-a-uuid/export', headers: { authorization: 'Bearer token-of-anne' } });
    expect(response.statusCode).toBe(400);
    expect(response.json<{ error: { detail: string } }>().error.detail).toBe('A workspace ID must be a UUID.');
  });

  it('sends a workspace list shaped by the response schema (nothing the directory adds)', async () => {
    const response = await app.inject({ url: '/api/workspaces', headers: { authorization: 'Bearer token-of-anne' } });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ workspaces: [ws] });
    expect(response.body).not.toContain('secret@internal');
  });
});
