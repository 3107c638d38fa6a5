/**
 * What the demo says: the console welcome (URL, demo account, how to import the download) and
 * the "demo" label on every page of the exporter.
 */
import type { WebConfig } from '../web/config.js';
import { dumpFileNameUtf8 } from '../dump/filename.js';
import type { DemoSeedRecord } from './demo-state.js';

export interface WelcomeInfo {
  url: string;
  account: { email: string };
  seed: DemoSeedRecord;
  dataDir: string;
}

/** A shell word for `name` after `~/Downloads/` (quoted only when needed, so `~` still expands). */
function shellWord(name: string): string {
  return /^[\w.,@%+=:-]+$/.test(name) ? name : `'${name.replace(/'/g, `'\\''`)}'`;
}

/** The demo account's password on the development Fief stand-in (loopback only, demo data only). */
export const DEMO_PASSWORD = 'fief-demo';

export function welcomeText({ url, account, seed, dataDir }: WelcomeInfo): string {
  const first = seed.workspaces[0]?.name ?? 'Workspace';
  // Browsers save under the UTF-8 name of the download's Content-Disposition (filename*).
  const file = `~/Downloads/${shellWord(dumpFileNameUtf8(first))}`;
  return [
    '',
    'Fief exporter DEMO is running (local demo data, nothing leaves this machine).',
    '',
    `  Open        ${url}`,
    `  Sign in as  ${account.email}`,
    `  Password    ${DEMO_PASSWORD}`,
    `  Workspaces  ${seed.workspaces.map((w) => `${w.name} (${w.users} users)`).join(', ')}`,
    '',
    'Click "Export data" on a workspace, then import the downloaded file into an EMPTY',
    'PostgreSQL database, for example:',
    '',
    '  createdb fief_imported',
    `  psql -X -v ON_ERROR_STOP=1 -d fief_imported -f ${file}`,
    '',
    "or, from this directory, with the exporter's importer, which checks every table's row count",
    'and checksum before it commits:',
    '',
    `  npx fief-exporter import --database-url postgres://USER@localhost:5432/fief_imported ${file}`,
    '',
    'Then start Fief 0.28 or later on that database with ENCRYPTION_KEY set to the key on line 1',
    `of the file (head -n1 ${file}).`,
    '',
    `Demo data lives in ${dataDir} (delete it to start afresh). Press Ctrl-C to stop.`,
    '',
  ].join('\n');
}

/** The web config with the demo flag: set only here (never from the environment), so every page says it is a demo. */
export function demoConfig(config: WebConfig): WebConfig {
  return { ...config, demo: true };
}

/**
 * Runs `fn` without oidc-provider's warning that its in-memory adapter loses state on restart:
 * for the demo's sign-in stand-in that is the intent, and a red "you MUST change it" in the
 * demo's console would only alarm. Every other warning still shows.
 */
export async function withoutInMemoryAdapterWarning<T>(fn: () => Promise<T>): Promise<T> {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: a quick start development-only in-memory adapter')) return;
    warn(...args);
  };
  try {
    return await fn();
  } finally {
    console.warn = warn;
  }
}
