/**
 * The legacy (≤ 0.27) Fief fixture builder: a main database with any number of workspaces,
 * each in either schema variant, in the main database (Fief Cloud) or a bring-your-own one,
 * filled with realistic (optionally hostile) data. Deterministic for a given `seed`.
 */
import type pg from 'pg';
import { connect, parseDatabaseUrl, toExporterError, withClient } from '../../db/connection.js';
import { Fernet } from '../../crypto/fernet.js';
import { ExporterError } from '../../errors.js';
import { hash32, makeUuid } from './prng.js';
import { createMainSchema, insertAdminSessions, registerWorkspace, type ConnectionFields } from './main-db.js';
import { buildWorkspaceSchema } from './workspace.js';
import { WORKSPACE_VARIANTS, type WorkspaceVariant } from './workspace-schema.js';
import { hostileValues } from './hostile.js';

export { WORKSPACE_ALEMBIC_REVISION, WORKSPACE_TABLE_NAMES, type WorkspaceVariant } from './workspace-schema.js';
export { MAIN_ALEMBIC_REVISION } from './main-schema.js';

export interface WorkspaceSpec {
  id?: string;
  name?: string;
  domain?: string;
  variant?: WorkspaceVariant;
  users?: number;
  auditLogs?: number;
  hostile?: boolean;
  byod?: { databaseUrl: string; useSchema: boolean } | { mysql: true };
  /** Account indexes that are members (default: account 0 everywhere, account 1 in the first workspace). */
  members?: number[];
  roleNamedAdministrator?: boolean;
  duplicateOAuthAccount?: boolean;
}

export interface SeedOptions {
  databaseUrl: string;
  encryptionKey: string;
  workspaces: WorkspaceSpec[];
  accounts?: number;
  seed?: number;
  onProgress?: (msg: string) => void;
}

export interface SeededWorkspace {
  id: string;
  name: string;
  variant: string;
  /** Where its data lives (for MySQL, a mysql:// URL that is not reachable: no data is created). */
  databaseUrl: string;
  /** Its data schema: the uuid, or 'public' for a BYOD database without schema. */
  schema: string;
  byod: boolean;
  rowCounts: Record<string, number>;
  /** Subs of the accounts that are members (workspace_users.user_id). */
  members: string[];
}

export interface SeededInstance {
  databaseUrl: string;
  encryptionKey: string;
  accounts: { sub: string; email: string }[];
  workspaces: SeededWorkspace[];
}

const ACCOUNT_NAMES = ['anne', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'];
const WORKSPACE_NAMES = ['Bretagne', 'Normandie', 'Anjou', 'Provence', 'Savoie', 'Bourgogne', 'Auvergne', 'Alsace'];
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The main tenant's people (their `sub` is what workspace_users.user_id holds). */
export function seedAccounts(count: number, seed: number): { sub: string; email: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    sub: makeUuid(seed, 'account', i),
    email: `${ACCOUNT_NAMES[i] ?? `account${i}`}@example.com`,
  }));
}

function invalid(message: string): never {
  throw new ExporterError('INPUT_ERROR', message);
}

function checkCount(value: number | undefined, what: string, fallback: number): number {
  const n = value ?? fallback;
  if (!Number.isSafeInteger(n) || n < 0) invalid(`${what} must be a whole number (got ${String(value)})`);
  return n;
}

function byodConnection(url: string, useSchema: boolean): ConnectionFields {
  parseDatabaseUrl(url, 'BYOD database URL');
  const u = new URL(url);
  return {
    type: 'POSTGRESQL', host: u.hostname || 'localhost', port: u.port || '5432',
    username: decodeURIComponent(u.username) || 'postgres', password: u.password === '' ? null : decodeURIComponent(u.password),
    name: decodeURIComponent(u.pathname.slice(1)) || 'postgres', sslMode: u.searchParams.get('sslmode') ?? 'disable', useSchema,
  };
}

/** Runs `fn` on the BYOD database; its failures name that database, not the main one. */
async function seedByod<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const config = parseDatabaseUrl(url, 'BYOD database URL');
  try {
    return await withClient(config, fn);
  } catch (err) {
    throw toExporterError(err, config);
  }
}

export async function seedLegacyInstance(opts: SeedOptions): Promise<SeededInstance> {
  const mainConfig = parseDatabaseUrl(opts.databaseUrl);
  const fernet = new Fernet(opts.encryptionKey);
  const seed = checkCount(opts.seed, 'seed', 1);
  const accounts = seedAccounts(checkCount(opts.accounts, 'accounts', 3), seed);
  const hostileCount = hostileValues('').length;
  const specs = opts.workspaces.map((spec, index) => {
    const id = spec.id ?? makeUuid(seed, 'workspace', index);
    if (!UUID_RE.test(id)) invalid(`workspace id ${JSON.stringify(id)} is not a lower-case hyphenated UUID`);
    const variant = spec.variant ?? 'v0.27';
    if (!WORKSPACE_VARIANTS.includes(variant)) invalid(`unknown workspace variant ${JSON.stringify(variant)}`);
    const users = checkCount(spec.users, 'users', 100);
    if (spec.hostile === true && users < hostileCount + 2) invalid(`a hostile workspace needs at least ${hostileCount + 2} users`);
    if (spec.duplicateOAuthAccount === true && users < 4) invalid('duplicateOAuthAccount needs at least 4 users');
    const members = spec.members ?? (index === 0 ? [0, 1] : [0]).filter((m) => m < accounts.length);
    for (const m of members) if (!accounts[m]) invalid(`member ${m} is not one of the ${accounts.length} accounts`);
    const name = spec.name ?? WORKSPACE_NAMES[index] ?? `Workspace ${index + 1}`;
    const domain = spec.domain ?? `${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}.fief.dev`;
    return { spec, index, id, variant, users, name, domain, members: members.map((m) => accounts[m]!.sub) };
  });
  if (new Set(specs.map((s) => s.id)).size !== specs.length) invalid('two workspaces have the same id');

  const progress = opts.onProgress;
  const main = await connect(mainConfig);
  try {
    await createMainSchema(main);
    await insertAdminSessions(main, seed, accounts);
    const seeded: SeededWorkspace[] = [];
    for (const s of specs) {
      const wsSeed = hash32(seed, s.index + 1);
      const byod = s.spec.byod;
      let connection: ConnectionFields | null = null;
      let result: SeededWorkspace;
      if (byod && 'mysql' in byod) {
        connection = { type: 'MYSQL', host: 'mysql.example.com', port: '3306', username: 'fief', password: 'mysql-secret', name: s.id, sslMode: 'PREFERRED', useSchema: false };
        result = { id: s.id, name: s.name, variant: s.variant, databaseUrl: `mysql://fief@mysql.example.com:3306/${s.id}`, schema: s.id, byod: true, rowCounts: {}, members: s.members };
      } else {
        const ctx = {
          workspaceId: s.id, seed: wsSeed, users: s.users, auditLogs: checkCount(s.spec.auditLogs, 'auditLogs', s.users * 2),
          hostile: s.spec.hostile ?? false, roleNamedAdministrator: s.spec.roleNamedAdministrator ?? false,
          duplicateOAuthAccount: s.spec.duplicateOAuthAccount ?? false, fernet,
        };
        const schema = byod && !byod.useSchema ? 'public' : s.id;
        progress?.(`workspace ${s.name} (${s.id}, ${s.variant}${byod ? ', bring-your-own database' : ''}): ${s.users} users, ${ctx.auditLogs} audit logs`);
        const rowCounts = byod
          ? await seedByod(byod.databaseUrl, (c) => buildWorkspaceSchema(c, schema, s.variant, ctx, progress))
          : await buildWorkspaceSchema(main, schema, s.variant, ctx, progress);
        if (byod) connection = byodConnection(byod.databaseUrl, byod.useSchema);
        result = { id: s.id, name: s.name, variant: s.variant, databaseUrl: byod ? byod.databaseUrl : opts.databaseUrl, schema, byod: !!byod, rowCounts, members: s.members };
      }
      await registerWorkspace(main, fernet, {
        id: s.id, name: s.name, domain: s.domain, usersCount: result.rowCounts.fief_users ?? 0, connection, members: s.members, seed: wsSeed,
      });
      seeded.push(result);
    }
    return { databaseUrl: opts.databaseUrl, encryptionKey: opts.encryptionKey, accounts, workspaces: seeded };
  } catch (err) {
    // A server-side failure (disk full, a bug in a generator) still reads as one sentence.
    throw toExporterError(err, mainConfig);
  } finally {
    await main.end().catch(() => undefined);
  }
}
