/**
 * The slice of oidc-provider 9 (which ships no types) that src/web/dev-idp.ts uses.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface AccountClaims {
    sub: string;
    [claim: string]: unknown;
  }

  export interface Account {
    accountId: string;
    claims(use: string, scope: string): AccountClaims | Promise<AccountClaims>;
  }

  export interface ClientMetadata {
    client_id: string;
    client_secret?: string;
    redirect_uris: string[];
    grant_types?: string[];
    response_types?: string[];
    token_endpoint_auth_method?: string;
    post_logout_redirect_uris?: string[];
  }

  /** What `ctx` is for the page-rendering hooks (koa's context, narrowed). */
  export interface PageContext {
    body: unknown;
  }

  /** A JWT access token being minted, for formats.customizers.jwt. */
  export interface JwtAccessTokenParts {
    header: Record<string, unknown> | undefined;
    payload: Record<string, unknown>;
  }

  export interface Interaction {
    uid: string;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    params: Record<string, unknown>;
    session?: { accountId?: string };
    grantId?: string;
  }

  export interface InteractionResults {
    login?: { accountId: string };
    consent?: { grantId: string };
    error?: string;
    error_description?: string;
  }

  export interface GrantInstance {
    addOIDCScope(scope: string): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface GrantModel {
    new (properties: { accountId: string; clientId: string }): GrantInstance;
    find(id: string): Promise<GrantInstance | undefined>;
  }

  export interface OIDCContext {
    oidc: {
      client?: { clientId: string };
      session?: { accountId?: string; grantIdFor(clientId: string): string | undefined };
      params?: Record<string, unknown>;
      result?: InteractionResults;
      provider: Provider;
    };
  }

  export interface Configuration {
    clients?: ClientMetadata[];
    findAccount?: (ctx: OIDCContext, sub: string) => Promise<Account | undefined> | Account | undefined;
    loadExistingGrant?: (ctx: OIDCContext) => Promise<GrantInstance | undefined>;
    features?: {
      rpInitiatedLogout?: {
        enabled: boolean;
        logoutSource?: (ctx: PageContext, form: string) => void;
        postLogoutSuccessSource?: (ctx: PageContext) => void;
      };
      [feature: string]: unknown;
    };
    formats?: { customizers?: { jwt?: (ctx: unknown, token: { clientId?: string }, jwt: JwtAccessTokenParts) => void } };
    [option: string]: unknown;
  }

  export class Provider {
    constructor(issuer: string, configuration?: Configuration);
    readonly issuer: string;
    readonly Grant: GrantModel;
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionFinished(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResults,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<void>;
    on(event: string, listener: (...args: unknown[]) => void): this;
  }

  export default Provider;
}
