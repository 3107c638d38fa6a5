/**
 * The legacy Fief workspace schema (alembic head 6c06c7d908a7, table prefix `fief_`), in the
 * two shapes that exist in the wild:
 * - `v0.27`: created by v0.27's squashed initial migration;
 * - `v0.26-chain`: created by ≤ 0.26 and upgraded through the old chain (most Fief Cloud
 *   workspaces). Same tables, but id/created_at/updated_at first and other column moves,
 *   DB defaults on the client lifetimes and tenants.registration_allowed, and four constraints
 *   that kept the names of an older `roles_permissions` table / `email_domain` column.
 * A dump must reproduce whichever it finds, so the fixture builds both exactly.
 */
import type { SchemaDef, TableDef } from './schema-model.js';
import { V027_TABLES, WORKSPACE_ENUMS } from './workspace-tables.js';

export type WorkspaceVariant = 'v0.27' | 'v0.26-chain';
export const WORKSPACE_VARIANTS: readonly WorkspaceVariant[] = ['v0.27', 'v0.26-chain'];
export const WORKSPACE_ALEMBIC_REVISION = '6c06c7d908a7';
export const TABLE_PREFIX = 'fief_';

/** ≤ 0.26 column orders (tables not listed keep the v0.27 order). */
const CHAIN_ORDER: Record<string, string> = {
  fief_audit_logs: 'id timestamp level message extra subject_user_id object_id object_class admin_user_id admin_api_key_id',
  fief_authorization_codes: 'id created_at updated_at code c_hash redirect_uri scope authenticated_at nonce code_challenge code_challenge_method user_id client_id expires_at acr',
  fief_clients: 'id created_at updated_at name first_party client_type client_id client_secret redirect_uris encrypt_jwk tenant_id authorization_code_lifetime_seconds access_id_token_lifetime_seconds refresh_token_lifetime_seconds',
  fief_email_templates: 'id created_at updated_at type subject content',
  fief_grants: 'id created_at updated_at scope user_id client_id',
  fief_login_sessions: 'id created_at updated_at token response_type response_mode redirect_uri scope prompt state nonce code_challenge code_challenge_method client_id expires_at acr',
  fief_oauth_accounts: 'id created_at updated_at access_token expires_at refresh_token account_id account_email oauth_provider_id user_id tenant_id',
  fief_oauth_providers: 'id created_at updated_at provider client_id client_secret scopes name openid_configuration_endpoint',
  fief_oauth_sessions: 'id created_at updated_at token redirect_uri oauth_provider_id oauth_account_id tenant_id expires_at',
  fief_permissions: 'id created_at updated_at name codename',
  fief_refresh_tokens: 'id created_at updated_at token expires_at scope authenticated_at user_id client_id',
  fief_registration_sessions: 'id created_at updated_at token flow email oauth_account_id tenant_id expires_at',
  fief_roles: 'id created_at updated_at name granted_by_default',
  fief_session_tokens: 'id created_at updated_at token expires_at user_id',
  fief_tenants: 'id created_at updated_at name slug default sign_jwk registration_allowed theme_id logo_url application_url email_from_email email_from_name email_domain_id',
  fief_themes: 'id created_at updated_at name default primary_color primary_color_hover primary_color_light input_color input_color_background light_color light_color_hover text_color accent_color background_color font_size font_family font_css_url',
  fief_user_field_values: 'id created_at updated_at value_string value_integer value_boolean value_date value_datetime value_json user_id user_field_id',
  fief_user_fields: 'id created_at updated_at name slug type configuration',
  fief_user_permissions: 'id created_at updated_at user_id permission_id from_role_id',
  fief_user_roles: 'id created_at updated_at user_id role_id',
  fief_users: 'id created_at updated_at email hashed_password is_active tenant_id email_lower email_verified',
};

/** ≤ 0.26 server defaults, as `table.column`. */
const CHAIN_DEFAULTS: Record<string, string> = {
  'fief_clients.authorization_code_lifetime_seconds': '600',
  'fief_clients.access_id_token_lifetime_seconds': '86400',
  'fief_clients.refresh_token_lifetime_seconds': '2592000',
  'fief_tenants.registration_allowed': 'true',
};

function toChain(t: TableDef): TableDef {
  const order = CHAIN_ORDER[t.name]?.split(' ') ?? t.columns.map((c) => c.name);
  const columns = order.map((name) => {
    const c = t.columns.find((x) => x.name === name);
    if (!c) throw new Error(`chain order names unknown column ${t.name}.${name}`);
    const dflt = CHAIN_DEFAULTS[`${t.name}.${name}`];
    return dflt === undefined ? c : { ...c, default: dflt };
  });
  if (columns.length !== t.columns.length) throw new Error(`chain order of ${t.name} misses columns`);
  if (t.name === 'fief_roles_permissions') {
    // The table was renamed from roles_permissions; its constraints kept the old names.
    return {
      ...t, columns, primaryKeyName: 'roles_permissions_pkey',
      foreignKeys: (t.foreignKeys ?? []).map((fk) => ({ ...fk, name: `roles_permissions_${fk.column}_fkey` })),
    };
  }
  if (t.name === 'fief_tenants') {
    // The column was once called email_domain; the FK kept that name.
    const foreignKeys = (t.foreignKeys ?? []).map((fk) => (fk.column === 'email_domain_id' ? { ...fk, name: 'fief_tenants_email_domain_fkey' } : fk));
    return { ...t, columns, foreignKeys };
  }
  return { ...t, columns };
}

export function workspaceSchema(variant: WorkspaceVariant): SchemaDef {
  return { enums: WORKSPACE_ENUMS, tables: variant === 'v0.27' ? V027_TABLES : V027_TABLES.map(toChain) };
}

/** The 28 table names (with prefix), sorted. */
export const WORKSPACE_TABLE_NAMES: readonly string[] = V027_TABLES.map((t) => t.name).sort();
