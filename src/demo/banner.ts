/**
 * What the demo says: the console welcome (URL, demo account, how to import the download) and
 * the "demo" label on every page of the exporter.
 */
import type { FastifyInstance } from 'fastify';
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
    '              (no password: the development Fief stand-in asks for the email only)',
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

const DEMO_NOTICE =
  '<p class="notice warning" role="note"><strong>Demo</strong>: local demonstration data and a development sign-in stand-in. ' +
  'Not a real Fief Cloud.</p>';

/**
 * The web config with the `demo` flag the web app does not have yet: set only here (never from
 * the environment), for the views to show their own demo label once they read it.
 */
export function demoConfig(config: WebConfig): WebConfig & { demo: true } {
  return { ...config, demo: true };
}

/**
 * Labels every HTML page as a demo. The web app's layout has no hook for this yet, so the label
 * is added to the rendered page, inside its header; once views/layout.eta shows a label for
 * `config.demo`, this goes. The CSP forbids inline styles: existing classes only.
 */
export function labelPagesAsDemo(app: FastifyInstance): void {
  app.addHook('onSend', async (_request, reply, payload) => {
    if (typeof payload !== 'string' || !String(reply.getHeader('content-type') ?? '').startsWith('text/html')) return payload;
    const titled = payload.replace(/<title>/, '<title>[Demo] ');
    const where = /<header\b[^>]*>/.test(titled) ? /<header\b[^>]*>/ : /<body\b[^>]*>/;
    return titled.replace(where, (opening) => `${opening}\n${DEMO_NOTICE}`);
  });
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
