/**
 * The app's typed decorators (fastify/demo style): shared services hang off the instance,
 * per-request identity off the request. Declared once here: the augmentation applies to every
 * file of the compilation (tsconfig includes src/ and routes/), so nothing needs to import it.
 */
import type { WebConfig } from './config.js';
import type { Session } from './session-codec.js';
import type { SessionCookies } from './plugins/session.js';
import type { ExportService } from './services/export-service.js';
import type { WorkspaceDirectory } from './services/contracts.js';
import type { Identity, SignInService } from './services/sign-in.js';
import type { TokenIdentityCache } from './services/token-identities.js';

export interface PageData {
  title: string;
  [key: string]: unknown;
}

declare module 'fastify' {
  interface FastifyInstance {
    config: WebConfig;
    sessions: SessionCookies;
    signIn: SignInService;
    workspaces: WorkspaceDirectory;
    exporter: ExportService;
    tokenIdentities: TokenIdentityCache;
  }
  interface FastifyRequest {
    /** The browser session, when the session cookie opened; set for every request. */
    session: Session | null;
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
