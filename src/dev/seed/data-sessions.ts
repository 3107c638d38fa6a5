/**
 * Short-lived and historical rows: tokens, codes, sign-in flows, grants and the audit log
 * (the one table that reaches millions of rows).
 */
import { Rng } from './prng.js';
import type { Row } from './copy.js';
import { hostileValues, RAW_JSON } from './hostile.js';
import {
  BASE_TIME_MS, firstClientOfTenant, id, ORPHAN_OAUTH_ACCOUNTS, orphanOAuthAccountId, stamps, tenantOf, timestamp, token,
  type TableGenerator, type WorkspaceDataContext,
} from './data-context.js';

const DAY_MS = 86_400_000;
const clientOf = (ctx: WorkspaceDataContext, user: number): string => id(ctx, 'client', firstClientOfTenant(tenantOf(user)));

/** Users whose index modulo `every` equals `rest`, each with one row built by `make`. */
function* perUser(ctx: WorkspaceDataContext, table: string, every: number, rest: number, make: (rng: Rng, i: number) => Row): Iterable<Row> {
  const rng = new Rng(ctx.seed, table);
  for (let i = rest; i < ctx.users; i += every) yield make(rng, i);
}

const sessionTokens: TableGenerator = (ctx) =>
  perUser(ctx, 'session_tokens', 5, 0, (rng, i) => {
    const { created_at, updated_at, ms } = stamps(rng);
    return { id: id(ctx, 'session_token', i), created_at, updated_at, token: token(ctx, 'session_token', i), expires_at: timestamp(ms + 30 * DAY_MS), user_id: id(ctx, 'user', i) };
  });

const refreshTokens: TableGenerator = (ctx) =>
  perUser(ctx, 'refresh_tokens', 10, 1, (rng, i) => {
    const { created_at, updated_at, ms } = stamps(rng);
    return {
      id: id(ctx, 'refresh_token', i), created_at, updated_at, token: token(ctx, 'refresh_token', i), expires_at: timestamp(ms + 30 * DAY_MS),
      scope: JSON.stringify(['openid', 'offline_access']), authenticated_at: created_at, user_id: id(ctx, 'user', i), client_id: clientOf(ctx, i),
    };
  });

const authorizationCodes: TableGenerator = (ctx) =>
  perUser(ctx, 'authorization_codes', 20, 2, (rng, i) => {
    const { created_at, updated_at, ms } = stamps(rng);
    const pkce = rng.chance(0.5);
    return {
      id: id(ctx, 'authorization_code', i), created_at, updated_at, code: token(ctx, 'authorization_code', i),
      c_hash: token(ctx, 'c_hash', i).slice(0, 22), redirect_uri: 'https://app0.example.com/callback', scope: JSON.stringify(['openid']),
      authenticated_at: created_at, nonce: rng.chance(0.5) ? token(ctx, 'nonce', i).slice(0, 16) : null, acr: rng.chance(0.5) ? '0' : '1',
      code_challenge: pkce ? token(ctx, 'pkce', i).slice(0, 43) : null, code_challenge_method: pkce ? 'S256' : null,
      user_id: id(ctx, 'user', i), client_id: clientOf(ctx, i), expires_at: timestamp(ms + 600_000),
    };
  });

const emailVerifications: TableGenerator = (ctx) =>
  perUser(ctx, 'email_verifications', 20, 5, (rng, i) => {
    const { created_at, updated_at, ms } = stamps(rng);
    return {
      id: id(ctx, 'email_verification', i), created_at, updated_at, code: token(ctx, 'email_verification', i),
      email: `new.address.${i}@example.net`, user_id: id(ctx, 'user', i), expires_at: timestamp(ms + DAY_MS),
    };
  });

const grants: TableGenerator = (ctx) =>
  perUser(ctx, 'grants', 3, 0, (rng, i) => {
    const { created_at, updated_at } = stamps(rng);
    return { id: id(ctx, 'grant', i), created_at, updated_at, scope: JSON.stringify(['openid', 'offline_access']), user_id: id(ctx, 'user', i), client_id: clientOf(ctx, i) };
  });

function* loginSessions(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'login_sessions');
  for (let i = 0; i < 6; i++) {
    const { created_at, updated_at, ms } = stamps(rng);
    yield {
      id: id(ctx, 'login_session', i), created_at, updated_at, token: token(ctx, 'login_session', i), response_type: 'code',
      response_mode: i % 2 === 0 ? 'query' : 'form_post', redirect_uri: `https://app${i % 4}.example.com/callback`,
      scope: JSON.stringify(['openid', 'profile']), prompt: i === 1 ? 'login' : null, state: i % 3 === 0 ? null : token(ctx, 'state', i),
      nonce: null, acr: i === 2 ? '1' : '0', code_challenge: null, code_challenge_method: null,
      client_id: id(ctx, 'client', i % 4), expires_at: timestamp(ms + 600_000),
    };
  }
}

function* registrationSessions(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'registration_sessions');
  for (let i = 0; i < 5; i++) {
    const oauth = i % 2 === 1;
    const { created_at, updated_at, ms } = stamps(rng);
    yield {
      id: id(ctx, 'registration_session', i), created_at, updated_at, token: token(ctx, 'registration_session', i),
      flow: oauth ? 'OAUTH' : 'PASSWORD', email: i === 4 ? null : `signup${i}@example.org`,
      oauth_account_id: oauth ? orphanOAuthAccountId(ctx, i % ORPHAN_OAUTH_ACCOUNTS) : null,
      tenant_id: id(ctx, 'tenant', 0), expires_at: timestamp(ms + 1800_000),
    };
  }
}

function* oauthSessions(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'oauth_sessions');
  for (let i = 0; i < 5; i++) {
    const { created_at, updated_at, ms } = stamps(rng);
    yield {
      id: id(ctx, 'oauth_session', i), created_at, updated_at, token: token(ctx, 'oauth_session', i),
      redirect_uri: 'https://fief.example.com/oauth/callback', oauth_provider_id: id(ctx, 'oauth_provider', 0),
      oauth_account_id: i < ORPHAN_OAUTH_ACCOUNTS ? orphanOAuthAccountId(ctx, i) : null,
      tenant_id: id(ctx, 'tenant', 0), expires_at: timestamp(ms + 600_000),
    };
  }
}

const MESSAGES = ['USER_REGISTERED', 'USER_UPDATED', 'USER_FORGOT_PASSWORD_REQUESTED', 'USER_TOKEN_GENERATED', 'OBJECT_CREATED', 'OBJECT_UPDATED'] as const;

function* auditLogs(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'audit_logs');
  const hostile = ctx.hostile ? hostileValues(ctx.workspaceId) : [];
  const stepMs = Math.max(1, Math.floor((365 * DAY_MS) / Math.max(1, ctx.auditLogs)));
  for (let i = 0; i < ctx.auditLogs; i++) {
    const message = MESSAGES[rng.int(MESSAGES.length)]!;
    const isObject = message.startsWith('OBJECT');
    const byAdmin = isObject && rng.chance(0.5);
    let extra: string | null = rng.chance(0.1)
      ? null
      : `{"ip_address": "10.${rng.int(256)}.${rng.int(256)}.${rng.int(256)}", "user_agent": "Mozilla/5.0 (X11; Linux x86_64)", "request_id": ${rng.int(1e9)}}`;
    let text: string = message;
    if (i < hostile.length) {
      text = hostile[i]!.value;
      extra = JSON.stringify({ value: hostile[i]!.value, label: hostile[i]!.label });
    } else if (ctx.hostile && i === hostile.length) {
      extra = RAW_JSON;
    }
    yield {
      id: id(ctx, 'audit_log', i), timestamp: timestamp(BASE_TIME_MS + i * stepMs + rng.int(stepMs)), level: rng.chance(0.05) ? 'WARNING' : 'INFO',
      message: text, extra, subject_user_id: ctx.users > 0 && !isObject ? id(ctx, 'user', rng.int(ctx.users)) : null,
      object_id: isObject ? id(ctx, 'client', rng.int(4)) : null, object_class: isObject ? 'Client' : null,
      admin_user_id: byAdmin ? id(ctx, 'admin_user', rng.int(3)) : null, admin_api_key_id: isObject && !byAdmin ? id(ctx, 'admin_api_key', 0) : null,
    };
  }
}

export const SESSION_GENERATORS: Record<string, TableGenerator> = {
  fief_session_tokens: sessionTokens,
  fief_refresh_tokens: refreshTokens,
  fief_authorization_codes: authorizationCodes,
  fief_email_verifications: emailVerifications,
  fief_grants: grants,
  fief_login_sessions: loginSessions,
  fief_registration_sessions: registrationSessions,
  fief_oauth_sessions: oauthSessions,
  fief_audit_logs: auditLogs,
};
