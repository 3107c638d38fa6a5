/**
 * What every table generator shares: the workspace's seed, sizes, and pure functions from an
 * entity index to its id, creation time and relations. Being pure, they let a generator for
 * one table point at rows of another without holding either in memory.
 */
import type { Fernet } from '../../crypto/fernet.js';
import { makeToken, makeUuid, Rng } from './prng.js';
import type { Row } from './copy.js';

export interface WorkspaceDataContext {
  workspaceId: string;
  /** Per-workspace seed (derived from the instance seed and the workspace's position). */
  seed: number;
  users: number;
  auditLogs: number;
  hostile: boolean;
  roleNamedAdministrator: boolean;
  duplicateOAuthAccount: boolean;
  /** Encrypts with the instance's master ENCRYPTION_KEY. */
  fernet: Fernet;
}

export type TableGenerator = (ctx: WorkspaceDataContext) => Iterable<Row>;

/** 2023-01-01T00:00:00Z: every timestamp is an offset from here, so runs are reproducible. */
export const BASE_TIME_MS = Date.UTC(2023, 0, 1);
const YEAR_S = 365 * 24 * 3600;

export function timestamp(ms: number): string {
  return new Date(ms).toISOString();
}

export function id(ctx: WorkspaceDataContext, kind: string, index: number): string {
  return makeUuid(ctx.seed, kind, index);
}

export function token(ctx: WorkspaceDataContext, kind: string, index: number): string {
  return makeToken(ctx.seed, kind, index);
}

/** created_at/updated_at drawn from `rng`, spread over 2023, updated ≥ created. */
export function stamps(rng: Rng): { created_at: string; updated_at: string; ms: number } {
  const ms = BASE_TIME_MS + rng.int(YEAR_S) * 1000 + rng.int(1000);
  const updated = ms + (rng.chance(0.3) ? rng.int(30 * 24 * 3600) * 1000 : 0);
  return { created_at: timestamp(ms), updated_at: timestamp(updated), ms };
}

/**
 * Deterministic Fernet tokens: IV from the PRNG and a fixed issue time, so the same seed gives
 * the same ciphertext (the Fernet code allows both only for reproducible output).
 */
export function encrypt(ctx: WorkspaceDataContext, rng: Rng, plaintext: string): string {
  return ctx.fernet.encrypt(plaintext, { iv: rng.bytes(16), time: Math.floor(BASE_TIME_MS / 1000) + rng.int(YEAR_S) });
}

// Fixed-size entities (indexes into these lists are the entity indexes).
export const TENANT_COUNT = 3;
/** Client index → tenant index: the default tenant has a confidential and a public client. */
export const CLIENT_TENANTS = [0, 0, 1, 2] as const;
export const PERMISSIONS = [
  ['Read castles', 'castles:read'],
  ['Create castles', 'castles:create'],
  ['Delete castles', 'castles:delete'],
  ['Manage users', 'users:manage'],
  ['View billing', 'billing:view'],
] as const;
/** Role name, granted by default, permission indexes. */
export const ROLES: readonly (readonly [string, boolean, readonly number[]])[] = [
  ['Castles visitor', true, [0]],
  ['Castles manager', false, [0, 1, 2]],
  ['Billing', false, [4]],
];
export const ADMINISTRATOR_ROLE: readonly [string, boolean, readonly number[]] = ['Administrator', false, [0, 1, 2, 3, 4]];

export function roles(ctx: WorkspaceDataContext): readonly (readonly [string, boolean, readonly number[]])[] {
  return ctx.roleNamedAdministrator ? [...ROLES, ADMINISTRATOR_ROLE] : ROLES;
}

/** 80 % of users in the default tenant, the rest split between the two others. */
export function tenantOf(userIndex: number): number {
  const r = userIndex % 10;
  return r < 8 ? 0 : r - 7;
}

export function firstClientOfTenant(tenant: number): number {
  return CLIENT_TENANTS.indexOf(tenant as 0 | 1 | 2);
}

export function userEmail(userIndex: number): string {
  // A few mixed-case addresses so email and email_lower differ.
  return userIndex % 50 === 7 ? `User.${userIndex}@Example.ORG` : `user${userIndex}@example.org`;
}

/** The three OAuth providers: provider, name, openid configuration endpoint. */
export const OAUTH_PROVIDERS = [
  ['GOOGLE', null, null],
  ['GITHUB', 'GitHub', null],
  ['OPENID', 'Corporate SSO', 'https://sso.example.com/.well-known/openid-configuration'],
] as const;

/** Users with i % 10 === 3 have an OAuth account (provider 0 or 1); index = user index. */
export function oauthProviderOfUser(userIndex: number): number | null {
  if (userIndex % 10 !== 3) return null;
  return userIndex % 20 === 3 ? 0 : 1;
}

/** OAuth accounts without a user (abandoned sign-ups): indexes users + k. */
export const ORPHAN_OAUTH_ACCOUNTS = 2;

export function orphanOAuthAccountId(ctx: WorkspaceDataContext, k: number): string {
  return id(ctx, 'oauth_account', ctx.users + k);
}
