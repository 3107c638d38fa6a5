/**
 * The small, fixed-size tables of a workspace: what an admin configures (tenants, clients,
 * themes, fields, roles, OAuth providers, webhooks, templates).
 */
import { Rng } from './prng.js';
import type { Row } from './copy.js';
import { WORKSPACE_ALEMBIC_REVISION } from './workspace-schema.js';
import { bigTemplate, combinedHostile, TENANT_NAME } from './hostile.js';
import {
  CLIENT_TENANTS, encrypt, id, OAUTH_PROVIDERS, PERMISSIONS, roles, stamps, TENANT_COUNT,
  type TableGenerator, type WorkspaceDataContext,
} from './data-context.js';

const b64 = (rng: Rng, n: number): string => rng.bytes(n).toString('base64url');

/** A private RSA JWK in the shape jwcrypto exports (Fief keeps it in clear). Random, not a real key. */
function signJwk(ctx: WorkspaceDataContext, rng: Rng, tenant: number): string {
  const parts = { d: b64(rng, 256), dp: b64(rng, 128), dq: b64(rng, 128), e: 'AQAB', kid: id(ctx, 'jwk', tenant), kty: 'RSA' };
  return JSON.stringify({ ...parts, n: b64(rng, 256), p: b64(rng, 128), q: b64(rng, 128), qi: b64(rng, 128) });
}

function* alembicVersion(): Iterable<Row> {
  yield { version_num: WORKSPACE_ALEMBIC_REVISION };
}

function* themes(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'themes');
  const palettes = [
    ['Default', '#f43f5e', '#e11d48', '#fecdd3', '#1c1917', '#ffffff', '#fafaf9', '#f5f5f4', '#1c1917', '#1c1917', '#ffffff'],
    ['Dark', '#6366f1', '#4f46e5', '#c7d2fe', '#e5e7eb', '#111827', '#1f2937', '#374151', '#f9fafb', '#a5b4fc', '#030712'],
  ] as const;
  for (const [i, p] of palettes.entries()) {
    const { created_at, updated_at } = stamps(rng);
    yield {
      id: id(ctx, 'theme', i), created_at, updated_at, name: p[0], default: i === 0,
      primary_color: p[1], primary_color_hover: p[2], primary_color_light: p[3], input_color: p[4], input_color_background: p[5],
      light_color: p[6], light_color_hover: p[7], text_color: p[8], accent_color: p[9], background_color: p[10],
      font_size: 16, font_family: 'Inter, sans-serif', font_css_url: i === 0 ? 'https://fonts.googleapis.com/css2?family=Inter&display=swap' : null,
    };
  }
}

function* emailDomains(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'email_domains');
  for (const [i, domain] of ['mail.example.com', 'bounces.example.net'].entries()) {
    const records = [
      { type: 'TXT', host: `pm._domainkey.${domain}`, value: `k=rsa; p=${b64(rng, 48)}`, verified: i === 0 },
      { type: 'CNAME', host: `pm-bounces.${domain}`, value: 'pm.mtasv.net', verified: false },
    ];
    const { created_at, updated_at } = stamps(rng);
    yield { id: id(ctx, 'email_domain', i), created_at, updated_at, email_provider: 'POSTMARK', domain_id: String(100000 + i), domain, records: JSON.stringify(records) };
  }
}

function* tenants(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'tenants');
  const names = ['Default', ctx.hostile ? TENANT_NAME : 'Acme', 'Partners'];
  const slugs = ['default', 'acme', 'partners'];
  for (let i = 0; i < TENANT_COUNT; i++) {
    const { created_at, updated_at } = stamps(rng);
    yield {
      id: id(ctx, 'tenant', i), created_at, updated_at, name: names[i]!, slug: slugs[i]!, default: i === 0,
      sign_jwk: signJwk(ctx, rng, i), registration_allowed: i !== 2,
      application_url: i === 1 ? 'https://app.acme.example' : null,
      theme_id: i === 1 ? id(ctx, 'theme', 1) : null,
      logo_url: i === 1 ? 'https://cdn.acme.example/logo.svg' : null,
      email_from_email: i === 1 ? 'noreply@mail.example.com' : null,
      email_from_name: i === 1 ? 'Acme' : null,
      email_domain_id: i === 1 ? id(ctx, 'email_domain', 0) : null,
    };
  }
}

function* clients(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'clients');
  for (const [i, tenant] of CLIENT_TENANTS.entries()) {
    const { created_at, updated_at } = stamps(rng);
    yield {
      id: id(ctx, 'client', i), created_at, updated_at,
      name: i === 1 ? 'Single-page app' : `Tenant ${tenant} application`, first_party: i < 2,
      client_type: i === 1 ? 'public' : 'confidential',
      client_id: b64(rng, 32), client_secret: b64(rng, 32),
      redirect_uris: JSON.stringify([`https://app${i}.example.com/callback`, 'http://localhost:8000/docs/oauth2-redirect']),
      encrypt_jwk: i === 2 ? JSON.stringify({ e: 'AQAB', kid: id(ctx, 'enc-jwk', i), kty: 'RSA', n: b64(rng, 256) }) : null,
      authorization_code_lifetime_seconds: 600, access_id_token_lifetime_seconds: i === 3 ? 3600 : 86400,
      refresh_token_lifetime_seconds: 2592000, tenant_id: id(ctx, 'tenant', tenant),
    };
  }
}

/** One field of every fief_userfieldtype, plus `notes` (STRING) that carries hostile values. */
export const USER_FIELDS = [
  ['First name', 'first_name', 'STRING'],
  ['Age', 'age', 'INTEGER'],
  ['Newsletter', 'newsletter', 'BOOLEAN'],
  ['Birthdate', 'birthdate', 'DATE'],
  ['Last seen', 'last_seen', 'DATETIME'],
  ['Plan', 'plan', 'CHOICE'],
  ['Phone', 'phone', 'PHONE_NUMBER'],
  ['Address', 'address', 'ADDRESS'],
  ['Timezone', 'timezone', 'TIMEZONE'],
  ['Notes', 'notes', 'STRING'],
] as const;
export const NOTES_FIELD = 9;

function* userFields(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'user_fields');
  for (const [i, [name, slug, type]] of USER_FIELDS.entries()) {
    const configuration: Record<string, unknown> = { at_registration: i < 3, at_update: true, required: i === 0, default: type === 'BOOLEAN' ? false : null };
    if (type === 'CHOICE') configuration.choices = [['free', 'Free'], ['pro', 'Pro'], ['enterprise', 'Enterprise']];
    const { created_at, updated_at } = stamps(rng);
    yield { id: id(ctx, 'user_field', i), created_at, updated_at, name, slug, type, configuration: JSON.stringify(configuration) };
  }
}

function* permissions(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'permissions');
  for (const [i, [name, codename]] of PERMISSIONS.entries()) {
    const { created_at, updated_at } = stamps(rng);
    yield { id: id(ctx, 'permission', i), created_at, updated_at, name, codename };
  }
}

function* rolesTable(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'roles');
  for (const [i, [name, grantedByDefault]] of roles(ctx).entries()) {
    const { created_at, updated_at } = stamps(rng);
    yield { id: id(ctx, 'role', i), created_at, updated_at, name, granted_by_default: grantedByDefault };
  }
}

function* rolesPermissions(ctx: WorkspaceDataContext): Iterable<Row> {
  for (const [i, [, , perms]] of roles(ctx).entries()) {
    for (const p of perms) yield { role_id: id(ctx, 'role', i), permission_id: id(ctx, 'permission', p) };
  }
}

function* oauthProviders(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'oauth_providers');
  for (const [i, [provider, name, endpoint]] of OAUTH_PROVIDERS.entries()) {
    const secret = ctx.hostile && i === 0 ? combinedHostile(ctx.workspaceId) : `secret-${provider.toLowerCase()}-${b64(rng, 24)}`;
    const { created_at, updated_at } = stamps(rng);
    yield {
      id: id(ctx, 'oauth_provider', i), created_at, updated_at, provider,
      client_id: encrypt(ctx, rng, `${provider.toLowerCase()}-client-${i}.apps.example.com`), client_secret: encrypt(ctx, rng, secret),
      scopes: JSON.stringify(provider === 'OPENID' ? ['openid', 'email', 'profile'] : ['email']), name, openid_configuration_endpoint: endpoint,
    };
  }
}

function* tenantsOauthProviders(ctx: WorkspaceDataContext): Iterable<Row> {
  for (const [t, p] of [[0, 0], [0, 1], [1, 2]] as const) {
    yield { tenant_id: id(ctx, 'tenant', t), oauth_provider_id: id(ctx, 'oauth_provider', p) };
  }
}

function* webhooks(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'webhooks');
  for (let i = 0; i < 2; i++) {
    const { created_at, updated_at } = stamps(rng);
    const events = i === 0 ? ['user.created', 'user.updated', 'user.deleted'] : ['client.created'];
    yield { id: id(ctx, 'webhook', i), created_at, updated_at, url: `https://hooks${i}.example.com/fief`, secret: b64(rng, 32), events: JSON.stringify(events) };
  }
}

function* webhookLogs(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'webhook_logs');
  for (let i = 0; i < 20; i++) {
    const success = rng.chance(0.7);
    const hostile = ctx.hostile && i === 0;
    const { created_at, updated_at } = stamps(rng);
    yield {
      id: id(ctx, 'webhook_log', i), created_at, updated_at, webhook_id: id(ctx, 'webhook', i % 2), event: 'user.created', attempt: 1 + (i % 3),
      payload: hostile ? combinedHostile(ctx.workspaceId) : JSON.stringify({ type: 'user.created', data: { id: id(ctx, 'user', i) } }),
      success: hostile ? false : success, response: hostile ? '' : success ? 'OK\r\n' : null,
      error_type: !hostile && !success ? 'HTTPError' : null, error_message: !hostile && !success ? 'HTTP 502 Bad Gateway' : null,
    };
  }
}

function* emailTemplates(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'email_templates');
  const templates = [
    ['BASE', '', ctx.hostile ? bigTemplate(ctx.workspaceId) : '<html><body>{% block main %}{% endblock %}</body></html>'],
    ['WELCOME', ctx.hostile ? combinedHostile(ctx.workspaceId) : 'Welcome to {{ tenant.name }}!', '{% extends "BASE" %}{% block main %}<h1>Welcome!</h1>{% endblock %}'],
    ['VERIFY_EMAIL', 'Verify your email', '{% extends "BASE" %}{% block main %}<p>Your code: {{ code }}</p>{% endblock %}'],
    ['FORGOT_PASSWORD', 'Reset your password', '{% extends "BASE" %}{% block main %}<a href="{{ reset_url }}">Reset</a>{% endblock %}'],
  ] as const;
  for (const [i, [type, subject, content]] of templates.entries()) {
    const { created_at, updated_at } = stamps(rng);
    yield { id: id(ctx, 'email_template', i), created_at, updated_at, type, subject, content };
  }
}

export const CONFIG_GENERATORS: Record<string, TableGenerator> = {
  fief_alembic_version: alembicVersion,
  fief_themes: themes,
  fief_email_domains: emailDomains,
  fief_tenants: tenants,
  fief_clients: clients,
  fief_user_fields: userFields,
  fief_permissions: permissions,
  fief_roles: rolesTable,
  fief_roles_permissions: rolesPermissions,
  fief_oauth_providers: oauthProviders,
  fief_tenants_oauth_providers: tenantsOauthProviders,
  fief_webhooks: webhooks,
  fief_webhook_logs: webhookLogs,
  fief_email_templates: emailTemplates,
};
