/** `fief-exporter workspaces`: what can be exported, and from where. */
import type { Command } from 'commander';
import { Fernet } from '../../crypto/fernet.js';
import { parseDatabaseUrl, withClient } from '../../db/connection.js';
import { listWorkspaces, type WorkspaceRecord } from '../../legacy/workspaces.js';
import { formatCount } from '../../format.js';
import { print, terminalJson, untrusted } from '../io.js';
import { encryptionKeyOption, requireOption } from '../options.js';

interface WorkspacesFlags {
  databaseUrl?: string;
  encryptionKey?: string;
  encryptionKeyFile?: string;
  user?: string;
  json?: boolean;
}

function location(w: WorkspaceRecord): string {
  if (w.databaseType === null) return 'main database';
  if (w.databaseType === 'POSTGRESQL') return `own PostgreSQL${w.useSchema ? ' (schema)' : ''}`;
  return `own ${w.databaseType} (not exportable)`;
}

export async function workspacesCommand(flags: WorkspacesFlags): Promise<void> {
  const config = parseDatabaseUrl(requireOption(flags.databaseUrl, '--database-url', 'DATABASE_URL'));
  const key = encryptionKeyOption(flags, false);
  if (key !== undefined && key !== '') new Fernet(key); // fail early on a key that `export` would reject
  const workspaces = await withClient(config, (client) => listWorkspaces(client, flags.user === undefined ? {} : { userSub: flags.user }));
  if (flags.json) {
    print(terminalJson(workspaces.map((w) => ({ ...w, location: location(w) }))) + '\n');
    return;
  }
  if (workspaces.length === 0) {
    print(flags.user ? `No workspace has ${untrusted(flags.user)} as a member.\n` : 'No workspaces.\n');
    return;
  }
  const rows = workspaces.map((w) => [w.id, w.name, w.domain, formatCount(w.usersCount), location(w)].map(untrusted));
  const head = ['ID', 'NAME', 'DOMAIN', 'USERS', 'DATA'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd() + '\n';
  print(line(head) + rows.map(line).join(''));
}

export function register(program: Command): void {
  program
    .command('workspaces')
    .description('List the workspaces of a legacy Fief instance')
    .option('--database-url <url>', 'legacy main database (env DATABASE_URL)')
    .option('--encryption-key <key>', "the instance's ENCRYPTION_KEY (env ENCRYPTION_KEY); checked, not needed to list")
    .option('--encryption-key-file <path>', 'read the key to check from this file')
    .option('--user <sub>', 'only workspaces this account (main-tenant user id) is a member of')
    .option('--json', 'machine-readable output')
    .action((flags: WorkspacesFlags) => workspacesCommand(flags));
}
