/**
 * demo.json: the secrets the demo generated on its first start (so that restarts decrypt the
 * same seeded data and keep browser sessions valid) and what it seeded. Mode 0600: it holds
 * keys. A file that cannot be read back is an error, never silently replaced, since replacing
 * the ENCRYPTION_KEY would make the seeded data undecryptable.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { generateKey } from '../crypto/fernet.js';
import { ExporterError } from '../errors.js';

export interface DemoSeedRecord {
  /** The legacy main database inside the embedded cluster. */
  database: string;
  accounts: { sub: string; email: string }[];
  workspaces: { id: string; name: string; users: number }[];
  seededAt: string;
}

export interface DemoState {
  version: 1;
  /** The demo legacy instance's ENCRYPTION_KEY. */
  encryptionKey: string;
  /** The exporter's cookie SECRET. */
  secret: string;
  /** The embedded cluster's superuser password (the server listens on loopback only). */
  postgresPassword: string;
  /** The exporter's OIDC client secret at the development Fief stand-in. */
  clientSecret: string;
  /** Set once seeding finished; absent means "seed (again) from scratch". */
  seed?: DemoSeedRecord;
}

function isStringRecord(value: unknown, keys: string[]): value is Record<string, string> {
  return typeof value === 'object' && value !== null && keys.every((k) => typeof (value as Record<string, unknown>)[k] === 'string');
}

export function loadDemoState(text: string, path: string): DemoState {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ExporterError('INPUT_ERROR', `${path} is not valid JSON; delete the demo data directory to start the demo afresh`);
  }
  const keys = ['encryptionKey', 'secret', 'postgresPassword', 'clientSecret'];
  if (!isStringRecord(parsed, keys) || (parsed as { version?: unknown }).version !== 1) {
    throw new ExporterError('INPUT_ERROR', `${path} is not a demo state file this version understands; delete the demo data directory to start afresh`);
  }
  return parsed as unknown as DemoState;
}

export function saveDemoState(path: string, state: DemoState): void {
  // Write-then-rename: an interrupted write never leaves a truncated file with the only copy of the key.
  const partial = `${path}.partial`;
  writeFileSync(partial, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(partial, path);
}

/** Reads demo.json, or creates it with fresh secrets on the first start. */
export function loadOrCreateDemoState(path: string): { state: DemoState; created: boolean } {
  if (existsSync(path)) return { state: loadDemoState(readFileSync(path, 'utf8'), path), created: false };
  const state: DemoState = {
    version: 1,
    encryptionKey: generateKey(),
    secret: randomBytes(48).toString('base64url'),
    postgresPassword: randomBytes(24).toString('base64url'),
    clientSecret: randomBytes(32).toString('base64url'),
  };
  saveDemoState(path, state);
  return { state, created: true };
}
