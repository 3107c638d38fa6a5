/**
 * The routes' request and response shapes, as TypeBox schemas: Fastify validates requests
 * (and serialises JSON responses) with them, and the TypeBox type provider gives the handlers
 * their types, so no route spells out a hand-written generic.
 */
import { Type } from '@fastify/type-provider-typebox';

export const WorkspaceIdParams = Type.Object({ id: Type.String({ format: 'uuid' }) });

/** The export form (views/workspaces.eta): its CSRF token and the gzip checkbox. */
export const ExportForm = Type.Object({
  _csrf: Type.Optional(Type.String()),
  gzip: Type.Optional(Type.String()),
});

export const ExportQuery = Type.Object({
  gzip: Type.Optional(Type.Union([Type.Literal('0'), Type.Literal('1'), Type.Literal('true'), Type.Literal('false')])),
});

export const SignInCallbackQuery = Type.Object({ error: Type.Optional(Type.String()) });

const WorkspaceSummary = Type.Object({
  id: Type.String(),
  name: Type.String(),
  domain: Type.String(),
  usersCount: Type.Integer(),
});

export const WorkspaceList = Type.Object({ workspaces: Type.Array(WorkspaceSummary) });
