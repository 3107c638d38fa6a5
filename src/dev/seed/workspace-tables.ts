/**
 * The 28 tables and 3 enum types of a legacy Fief workspace in their v0.27 shape (column order
 * of the squashed initial migration). workspace-schema.ts derives the ≤ 0.26 shape from it.
 */
import { col, stamp, tstz, uuid, varchar, type ColumnDef, type IndexDef, type TableDef } from './schema-model.js';

const idStamps: ColumnDef[] = [uuid('id'), stamp('created_at'), stamp('updated_at')];
const stampIx: IndexDef[] = [{ column: 'created_at' }, { column: 'updated_at' }];
const text = (name: string, notNull = true): ColumnDef => col(name, 'text', notNull);
const json = (name: string, notNull = true): ColumnDef => col(name, 'json', notNull);
const bool = (name: string, notNull = true): ColumnDef => col(name, 'boolean', notNull);
const int = (name: string, notNull = true): ColumnDef => col(name, 'integer', notNull);
const cascade = (column: string, table: string) => ({ column, table: `fief_${table}`, onDelete: 'CASCADE' as const });
const ix = (...columns: string[]): IndexDef[] => columns.map((column) => ({ column }));
const uix = (column: string): IndexDef => ({ column, unique: true });

/** v0.27 shape: column order as the squashed migration created them. */
export const V027_TABLES: TableDef[] = [
  { name: 'fief_alembic_version', columns: [varchar('version_num', 32)], primaryKey: ['version_num'], primaryKeyName: 'fief_alembic_version_pkc' },
  {
    name: 'fief_audit_logs',
    columns: [tstz('timestamp'), varchar('level'), text('message'), json('extra', false), uuid('subject_user_id', false), uuid('object_id', false),
      varchar('object_class', 255, false), uuid('admin_user_id', false), uuid('admin_api_key_id', false), uuid('id')],
    primaryKey: ['id'],
    indexes: ix('admin_api_key_id', 'admin_user_id', 'level', 'object_class', 'object_id', 'subject_user_id', 'timestamp'),
  },
  {
    name: 'fief_authorization_codes',
    columns: [varchar('code'), varchar('c_hash'), varchar('redirect_uri', 2048), json('scope'), tstz('authenticated_at'), varchar('nonce', 255, false),
      col('acr', 'fief_acr'), varchar('code_challenge', 255, false), varchar('code_challenge_method', 255, false), uuid('user_id'), uuid('client_id'),
      ...idStamps, tstz('expires_at')],
    primaryKey: ['id'],
    foreignKeys: [cascade('client_id', 'clients'), cascade('user_id', 'users')],
    indexes: [uix('code'), ...ix('created_at', 'expires_at', 'updated_at')],
  },
  {
    name: 'fief_clients',
    columns: [varchar('name'), bool('first_party'), col('client_type', 'fief_clienttype', true, "'confidential'::fief_clienttype"), varchar('client_id'),
      varchar('client_secret'), json('redirect_uris'), text('encrypt_jwk', false), int('authorization_code_lifetime_seconds'),
      int('access_id_token_lifetime_seconds'), int('refresh_token_lifetime_seconds'), uuid('tenant_id'), ...idStamps],
    primaryKey: ['id'],
    foreignKeys: [cascade('tenant_id', 'tenants')],
    indexes: ix('client_id', 'client_secret', 'created_at', 'updated_at'),
  },
  {
    name: 'fief_email_domains',
    columns: [varchar('email_provider'), varchar('domain_id'), varchar('domain'), json('records'), ...idStamps],
    primaryKey: ['id'], uniques: [['domain']], indexes: stampIx,
  },
  {
    name: 'fief_email_templates',
    columns: [varchar('type'), text('subject'), text('content'), ...idStamps],
    primaryKey: ['id'], uniques: [['type']], indexes: stampIx,
  },
  {
    name: 'fief_email_verifications',
    columns: [varchar('code'), varchar('email', 320), uuid('user_id'), ...idStamps, tstz('expires_at')],
    primaryKey: ['id'],
    foreignKeys: [cascade('user_id', 'users')],
    indexes: [uix('code'), ...ix('created_at', 'email', 'expires_at', 'updated_at')],
  },
  {
    name: 'fief_grants',
    columns: [json('scope'), uuid('user_id'), uuid('client_id'), ...idStamps],
    primaryKey: ['id'], uniques: [['user_id', 'client_id']],
    foreignKeys: [cascade('client_id', 'clients'), cascade('user_id', 'users')],
    indexes: stampIx,
  },
  {
    name: 'fief_login_sessions',
    columns: [varchar('token'), varchar('response_type'), varchar('response_mode'), varchar('redirect_uri', 2048), json('scope'), varchar('prompt', 255, false),
      varchar('state', 2048, false), varchar('nonce', 255, false), col('acr', 'fief_acr'), varchar('code_challenge', 255, false),
      varchar('code_challenge_method', 255, false), uuid('client_id'), ...idStamps, tstz('expires_at')],
    primaryKey: ['id'],
    foreignKeys: [cascade('client_id', 'clients')],
    indexes: [...ix('created_at', 'expires_at'), uix('token'), ...ix('updated_at')],
  },
  {
    name: 'fief_oauth_accounts',
    columns: [text('access_token'), tstz('expires_at', false), text('refresh_token', false), varchar('account_id', 512), varchar('account_email', 512, false),
      uuid('oauth_provider_id'), uuid('user_id', false), uuid('tenant_id'), ...idStamps],
    primaryKey: ['id'], uniques: [['oauth_provider_id', 'user_id']],
    foreignKeys: [cascade('oauth_provider_id', 'oauth_providers'), cascade('tenant_id', 'tenants'), cascade('user_id', 'users')],
    indexes: ix('account_id', 'created_at', 'updated_at'),
  },
  {
    name: 'fief_oauth_providers',
    columns: [varchar('provider'), text('client_id'), text('client_secret'), json('scopes'), varchar('name', 255, false),
      text('openid_configuration_endpoint', false), ...idStamps],
    primaryKey: ['id'], indexes: stampIx,
  },
  {
    name: 'fief_oauth_sessions',
    columns: [varchar('token'), text('redirect_uri'), uuid('oauth_provider_id'), uuid('oauth_account_id', false), uuid('tenant_id'), ...idStamps, tstz('expires_at')],
    primaryKey: ['id'],
    foreignKeys: [cascade('oauth_account_id', 'oauth_accounts'), cascade('oauth_provider_id', 'oauth_providers'), cascade('tenant_id', 'tenants')],
    indexes: [...ix('created_at', 'expires_at'), uix('token'), ...ix('updated_at')],
  },
  {
    name: 'fief_permissions',
    columns: [varchar('name'), varchar('codename'), ...idStamps],
    primaryKey: ['id'], uniques: [['codename']], indexes: stampIx,
  },
  {
    name: 'fief_refresh_tokens',
    columns: [varchar('token'), json('scope'), tstz('authenticated_at'), uuid('user_id'), uuid('client_id'), ...idStamps, tstz('expires_at')],
    primaryKey: ['id'],
    foreignKeys: [cascade('client_id', 'clients'), cascade('user_id', 'users')],
    indexes: [...ix('created_at', 'expires_at'), uix('token'), ...ix('updated_at')],
  },
  {
    name: 'fief_registration_sessions',
    columns: [varchar('token'), varchar('flow'), varchar('email', 320, false), uuid('oauth_account_id', false), uuid('tenant_id'), ...idStamps, tstz('expires_at')],
    primaryKey: ['id'],
    foreignKeys: [cascade('oauth_account_id', 'oauth_accounts'), cascade('tenant_id', 'tenants')],
    indexes: [...ix('created_at', 'expires_at'), uix('token'), ...ix('updated_at')],
  },
  { name: 'fief_roles', columns: [varchar('name'), bool('granted_by_default'), ...idStamps], primaryKey: ['id'], indexes: stampIx },
  {
    name: 'fief_roles_permissions',
    columns: [uuid('role_id'), uuid('permission_id')],
    primaryKey: ['role_id', 'permission_id'],
    foreignKeys: [cascade('permission_id', 'permissions'), cascade('role_id', 'roles')],
  },
  {
    name: 'fief_session_tokens',
    columns: [varchar('token'), uuid('user_id'), ...idStamps, tstz('expires_at')],
    primaryKey: ['id'],
    foreignKeys: [cascade('user_id', 'users')],
    indexes: [...ix('created_at', 'expires_at'), uix('token'), ...ix('updated_at')],
  },
  {
    name: 'fief_tenants',
    columns: [varchar('name'), varchar('slug'), bool('default'), text('sign_jwk'), bool('registration_allowed'), varchar('application_url', 512, false),
      uuid('theme_id', false), varchar('logo_url', 512, false), varchar('email_from_email', 255, false), varchar('email_from_name', 255, false),
      uuid('email_domain_id', false), ...idStamps],
    primaryKey: ['id'], uniques: [['slug']],
    foreignKeys: [
      { column: 'email_domain_id', table: 'fief_email_domains', onDelete: 'SET NULL' },
      { column: 'theme_id', table: 'fief_themes', onDelete: 'SET NULL' },
    ],
    indexes: stampIx,
  },
  {
    name: 'fief_tenants_oauth_providers',
    columns: [uuid('tenant_id'), uuid('oauth_provider_id')],
    primaryKey: ['tenant_id', 'oauth_provider_id'],
    foreignKeys: [cascade('oauth_provider_id', 'oauth_providers'), cascade('tenant_id', 'tenants')],
  },
  {
    name: 'fief_themes',
    columns: [varchar('name'), bool('default'),
      ...['primary_color', 'primary_color_hover', 'primary_color_light', 'input_color', 'input_color_background', 'light_color',
        'light_color_hover', 'text_color', 'accent_color', 'background_color'].map((c) => varchar(c)),
      int('font_size'), varchar('font_family'), varchar('font_css_url', 512, false), ...idStamps],
    primaryKey: ['id'], indexes: stampIx,
  },
  {
    name: 'fief_user_field_values',
    columns: [text('value_string', false), int('value_integer', false), bool('value_boolean', false), col('value_date', 'date', false),
      tstz('value_datetime', false), json('value_json', false), uuid('user_id'), uuid('user_field_id'), ...idStamps],
    primaryKey: ['id'], uniques: [['user_field_id', 'user_id']],
    foreignKeys: [cascade('user_field_id', 'user_fields'), cascade('user_id', 'users')],
    indexes: stampIx,
  },
  {
    name: 'fief_user_fields',
    columns: [varchar('name', 320), varchar('slug', 320), col('type', 'fief_userfieldtype', false), json('configuration'), ...idStamps],
    primaryKey: ['id'],
    indexes: [...ix('created_at'), uix('slug'), ...ix('type', 'updated_at')],
  },
  {
    name: 'fief_user_permissions',
    columns: [uuid('user_id'), uuid('permission_id'), uuid('from_role_id', false), ...idStamps],
    primaryKey: ['id'], uniques: [['user_id', 'permission_id', 'from_role_id']],
    foreignKeys: [cascade('from_role_id', 'roles'), cascade('permission_id', 'permissions'), cascade('user_id', 'users')],
    indexes: stampIx,
  },
  {
    name: 'fief_user_roles',
    columns: [uuid('user_id'), uuid('role_id'), ...idStamps],
    primaryKey: ['id'], uniques: [['user_id', 'role_id']],
    foreignKeys: [cascade('role_id', 'roles'), cascade('user_id', 'users')],
    indexes: stampIx,
  },
  {
    name: 'fief_users',
    columns: [varchar('email', 320), varchar('email_lower', 320), bool('email_verified'), varchar('hashed_password'), bool('is_active'), uuid('tenant_id'), ...idStamps],
    primaryKey: ['id'], uniques: [['email', 'tenant_id']],
    foreignKeys: [cascade('tenant_id', 'tenants')],
    indexes: ix('created_at', 'email', 'email_lower', 'email_verified', 'updated_at'),
  },
  {
    name: 'fief_webhook_logs',
    columns: [uuid('webhook_id'), varchar('event'), int('attempt'), text('payload'), bool('success'), text('response', false),
      varchar('error_type', 255, false), text('error_message', false), ...idStamps],
    primaryKey: ['id'], foreignKeys: [cascade('webhook_id', 'webhooks')], indexes: stampIx,
  },
  { name: 'fief_webhooks', columns: [varchar('url'), varchar('secret'), json('events'), ...idStamps], primaryKey: ['id'], indexes: stampIx },
];

export const WORKSPACE_ENUMS = [
  { name: 'fief_acr', labels: ['0', '1'] },
  { name: 'fief_clienttype', labels: ['public', 'confidential'] },
  { name: 'fief_userfieldtype', labels: ['STRING', 'INTEGER', 'BOOLEAN', 'DATE', 'DATETIME', 'CHOICE', 'PHONE_NUMBER', 'ADDRESS', 'TIMEZONE'] },
];
