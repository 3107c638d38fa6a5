/**
 * Per-user tables: users, their field values, roles and permissions, and OAuth accounts.
 * Each generator walks user indexes 0..users-1; relations come from data-context's pure functions.
 */
import { Rng } from './prng.js';
import type { Row } from './copy.js';
import { hostileValues } from './hostile.js';
import { NOTES_FIELD, USER_FIELDS } from './data-config.js';
import {
  encrypt, id, oauthProviderOfUser, ORPHAN_OAUTH_ACCOUNTS, roles, stamps, tenantOf, timestamp, token, userEmail,
  BASE_TIME_MS, type TableGenerator, type WorkspaceDataContext,
} from './data-context.js';

const BCRYPT_ALPHABET = './ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const FIRST_NAMES = ['Anne', 'Bastien', 'Chloé', 'Dmitri', 'Eun-ji', 'François', 'Gül', 'Hiroshi', 'Ingrid', 'José'];
const TIMEZONES = ['Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'Africa/Lagos', 'Australia/Sydney'];
const CITIES = [['Nantes', 'FR', '44000'], ['Québec', 'CA', 'G1R 4P5'], ['Osaka', 'JP', '530-0001']] as const;

function* users(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'users');
  for (let i = 0; i < ctx.users; i++) {
    let hash = '$2b$12$';
    for (let k = 0; k < 53; k++) hash += BCRYPT_ALPHABET[rng.int(64)];
    const email = userEmail(i);
    const { created_at, updated_at } = stamps(rng);
    yield {
      id: id(ctx, 'user', i), created_at, updated_at, email, email_lower: email.toLowerCase(), email_verified: rng.chance(0.8),
      hashed_password: hash, is_active: i % 97 !== 96, tenant_id: id(ctx, 'tenant', tenantOf(i)),
    };
  }
}

/** The fields user i has a value for: first_name, two others by rotation, and notes when hostile. */
function fieldsOfUser(ctx: WorkspaceDataContext, i: number, hostileCount: number): number[] {
  const fields = new Set([0, 1 + (i % 8), 1 + ((i * 3 + 1) % 8)]);
  if (ctx.hostile && i < hostileCount + 2) fields.add(NOTES_FIELD);
  return [...fields];
}

function fieldValue(ctx: WorkspaceDataContext, rng: Rng, field: number, i: number): Row {
  const none = { value_string: null, value_integer: null, value_boolean: null, value_date: null, value_datetime: null, value_json: null };
  const type = USER_FIELDS[field]![2];
  if (field === NOTES_FIELD) {
    // Hostile values, then '' and NULL side by side (see hostile.ts).
    const hostile = hostileValues(ctx.workspaceId);
    return { ...none, value_string: i < hostile.length ? hostile[i]!.value : i === hostile.length ? '' : null };
  }
  switch (type) {
    case 'STRING': return { ...none, value_string: rng.pick(FIRST_NAMES) };
    case 'INTEGER': return { ...none, value_integer: 18 + rng.int(70) };
    case 'BOOLEAN': return { ...none, value_boolean: rng.chance(0.5) };
    case 'DATE': return { ...none, value_date: timestamp(Date.UTC(1950, 0, 1) + rng.int(20000) * 86400000).slice(0, 10) };
    case 'DATETIME': return { ...none, value_datetime: timestamp(BASE_TIME_MS + rng.int(365 * 86400) * 1000) };
    case 'CHOICE': return { ...none, value_string: rng.pick(['free', 'pro', 'enterprise']) };
    case 'PHONE_NUMBER': return { ...none, value_string: `+3361${String(rng.int(100000000)).padStart(8, '0')}` };
    case 'TIMEZONE': return { ...none, value_string: rng.pick(TIMEZONES) };
    case 'ADDRESS': {
      const [city, country, postal] = rng.pick(CITIES);
      const address = { line1: `${1 + rng.int(200)} rue de la Paix`, line2: null, postal_code: postal, city, state: null, country };
      return { ...none, value_json: JSON.stringify(address) };
    }
  }
}

function* userFieldValues(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'user_field_values');
  const hostileCount = hostileValues(ctx.workspaceId).length;
  for (let i = 0; i < ctx.users; i++) {
    for (const f of fieldsOfUser(ctx, i, hostileCount)) {
      const { created_at, updated_at } = stamps(rng);
      yield { id: id(ctx, 'user_field_value', i * 16 + f), created_at, updated_at, ...fieldValue(ctx, rng, f, i), user_id: id(ctx, 'user', i), user_field_id: id(ctx, 'user_field', f) };
    }
  }
}

function rolesOfUser(ctx: WorkspaceDataContext, i: number): number[] {
  const out: number[] = [];
  if (i % 2 === 0) out.push(0);
  if (i % 5 === 0) out.push(1);
  if (i % 11 === 0) out.push(2);
  if (ctx.roleNamedAdministrator && i === 0) out.push(3);
  return out;
}

function* userRoles(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'user_roles');
  for (let i = 0; i < ctx.users; i++) {
    for (const r of rolesOfUser(ctx, i)) {
      const { created_at, updated_at } = stamps(rng);
      yield { id: id(ctx, 'user_role', i * 8 + r), created_at, updated_at, user_id: id(ctx, 'user', i), role_id: id(ctx, 'role', r) };
    }
  }
}

/** What Fief materialises: each role's permissions with from_role_id, plus some direct grants. */
function* userPermissions(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'user_permissions');
  const roleList = roles(ctx);
  for (let i = 0; i < ctx.users; i++) {
    const userId = id(ctx, 'user', i);
    for (const r of rolesOfUser(ctx, i)) {
      for (const p of roleList[r]![2]) {
        const { created_at, updated_at } = stamps(rng);
        yield { id: id(ctx, 'user_permission', i * 64 + r * 8 + p), created_at, updated_at, user_id: userId, permission_id: id(ctx, 'permission', p), from_role_id: id(ctx, 'role', r) };
      }
    }
    if (i % 7 === 0) {
      const { created_at, updated_at } = stamps(rng);
      yield { id: id(ctx, 'user_permission', i * 64 + 63), created_at, updated_at, user_id: userId, permission_id: id(ctx, 'permission', 3), from_role_id: null };
    }
  }
}

function oauthAccount(ctx: WorkspaceDataContext, rng: Rng, index: number, provider: number, user: number | null, accountId: string): Row {
  const { created_at, updated_at, ms } = stamps(rng);
  const hasRefresh = rng.chance(0.6);
  return {
    id: id(ctx, 'oauth_account', index), created_at, updated_at,
    access_token: encrypt(ctx, rng, `ya29.${token(ctx, 'oauth_access', index)}`),
    expires_at: rng.chance(0.8) ? timestamp(ms + 3600_000) : null,
    refresh_token: hasRefresh ? encrypt(ctx, rng, `1//${token(ctx, 'oauth_refresh', index)}`) : null,
    account_id: accountId, account_email: user === null ? null : userEmail(user),
    oauth_provider_id: id(ctx, 'oauth_provider', provider), user_id: user === null ? null : id(ctx, 'user', user),
    tenant_id: id(ctx, 'tenant', user === null ? 0 : tenantOf(user)),
  };
}

/** Index of the user whose OAuth account the duplicate copies, and the user who gets the copy. */
export const DUPLICATED_OAUTH_USER = 3;
export const DUPLICATE_OAUTH_OWNER = 0;

function* oauthAccounts(ctx: WorkspaceDataContext): Iterable<Row> {
  const rng = new Rng(ctx.seed, 'oauth_accounts');
  for (let i = 0; i < ctx.users; i++) {
    const provider = oauthProviderOfUser(i);
    if (provider !== null) yield oauthAccount(ctx, rng, i, provider, i, `acct-${i}`);
  }
  // Abandoned sign-ups: no user (0.28.8's migration deletes these).
  for (let k = 0; k < ORPHAN_OAUTH_ACCOUNTS; k++) yield oauthAccount(ctx, rng, ctx.users + k, 0, null, `orphan-${k}`);
  if (ctx.duplicateOAuthAccount) {
    // Same (provider, account_id) as user 3's account, owned by user 0: 0.28.8's new UNIQUE fails on it.
    const provider = oauthProviderOfUser(DUPLICATED_OAUTH_USER) ?? 0;
    yield oauthAccount(ctx, rng, ctx.users + ORPHAN_OAUTH_ACCOUNTS, provider, DUPLICATE_OAUTH_OWNER, `acct-${DUPLICATED_OAUTH_USER}`);
  }
}

export const USER_GENERATORS: Record<string, TableGenerator> = {
  fief_users: users,
  fief_user_field_values: userFieldValues,
  fief_user_roles: userRoles,
  fief_user_permissions: userPermissions,
  fief_oauth_accounts: oauthAccounts,
};
