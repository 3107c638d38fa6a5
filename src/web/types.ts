/**
 * The app's typed decorators (fastify/demo style): shared services hang off the instance,
 * per-request identity off the request. Declared once here: the augmentation applies to every
 * file of the compilation (tsconfig includes src/ and routes/), so nothing needs to import it.
 */
import type { WebConfig } from './config.js';
import type { SessionCookies, SignedIn } from './plugins/session.js';
import type { ExportService } from './services/export-service.js';
import type { WorkspaceDirectory } from './services/contracts.js';
import type { Identity, SignInService } from './services/sign-in.js';
import type { AccessTokenVerifier } from './services/access-token.js';

export interface PageData {
  title: string;
  [key: string]: unknown;
}

/** What the session cookie carries (@fastify/secure-session's `request.session`): who signed in, and the CSRF secret. */
declare module '@fastify/secure-session' {
  interface SessionData extends SignedIn {
    /** @fastify/csrf-protection's secret; form tokens are derived from it. */
    _csrf: string;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    config: WebConfig;
    sessions: SessionCookies;
    signIn: SignInService;
    workspaces: WorkspaceDirectory;
    exporter: ExportService;
    accessTokens: AccessTokenVerifier;
  }
  interface FastifyRequest {
    /** Who the browser session belongs to, when it has someone who has not signed out; set for every request. */
    signedIn: SignedIn | null;
    /** Who is calling /api, once the bearer token has been checked. */
    apiIdentity: Identity | null;
  }
  interface FastifyContextConfig {
    /** 'json': this route's errors are answered as JSON (the /api routes), not as a page. */
    problemFormat?: 'json';
  }
  interface FastifyReply {
    /** Renders views/<view>.eta inside the layout as an HTML response. */
    page(view: string, data: PageData): FastifyReply;
  }
}
