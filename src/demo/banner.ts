/**
 * What the demo says: the console welcome (URL, demo account, how to import the download, how
 * to point the CLI at the demo) and
 * the "demo" label on every page of the exporter.
 */
import type { WebConfig } from '../web/config.js';
import { dumpFileNameUtf8 } from '../dump/filename.js';
import { importRecipe, RECIPE_DATABASE, shellQuote } from '../import-recipe.js';
import { formatCount } from '../format.js';
import { demoDatabaseUrl, type DemoDatabase } from './demo-env.js';
import type { DemoSeedRecord } from './demo-state.js';

export interface WelcomeInfo {
  url: string;
  account: { email: string };
  seed: DemoSeedRecord;
  dataDir: string;
  /** The demo's legacy main database, shown with its password masked. */
  database: DemoDatabase;
  /** The shell command that loads the CLI's environment for this demo (`demo env`). */
  envCommand: string;
}

/** A shell word for `name` after `~/Downloads/` (quoted only when needed, so `~` still expands). */
function shellWord(name: string): string {
  return /^[\w.,@%+=:-]+$/.test(name) ? name : shellQuote(name);
}

/** The demo account's password on the development Fief stand-in (loopback only, demo data only). */
export const DEMO_PASSWORD = 'fief-demo';

export function welcomeText({ url, account, seed, dataDir, database, envCommand }: WelcomeInfo): string {
  const first = seed.workspaces[0];
  // Browsers save under the UTF-8 name of the download's Content-Disposition (filename*).
  const fileName = dumpFileNameUtf8(first?.name ?? 'Workspace');
  const file = `~/Downloads/${shellWord(fileName)}`;
  return [
    '',
    'Fief exporter DEMO is running (local demo data, nothing leaves this machine).',
    '',
    `  Open        ${url}`,
    `  Sign in as  ${account.email}`,
    `  Password    ${DEMO_PASSWORD}`,
    `  Workspaces  ${seed.workspaces.map((w) => `${w.name} (${formatCount(w.users)} users)`).join(', ')}`,
    '',
    'Click "Export data" on a workspace, then, in the folder where the browser saved the file,',
    'import it into a new, EMPTY PostgreSQL database, for example:',
    '',
    '  cd ~/Downloads',
    ...importRecipe(fileName).map((line) => `  ${line}`),
    '',
    "or, from this directory, with the exporter's importer, which checks every table's row count",
    'and checksum before it commits:',
    '',
    `  npx fief-exporter import --database-url postgres://USER@localhost:5432/${RECIPE_DATABASE} ${file}`,
    '',
    'Then start Fief 0.28 or later on that database with ENCRYPTION_KEY set to the key on line 1',
    `of the file (head -n1 ${file}).`,
    '',
    `Try the CLI on the demo's legacy database (${demoDatabaseUrl(database)}), from this directory:`,
    '',
    `  ${envCommand}`,
    '  npx fief-exporter workspaces',
    ...(first ? [`  npx fief-exporter export --workspace ${first.id}`] : []),
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
