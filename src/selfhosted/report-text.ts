/**
 * What `migrate-in-place` prints. A dry run is a script people may run themselves (psql, the
 * mysql client, sh), so every value it takes from the database is either quoted by the
 * statement builders (identifiers) or, here, rendered on ONE line inside a line comment:
 * `--`/`#` comments end only at a line break (psql also ends them at a carriage return), so a
 * value without control characters cannot leave its comment, whatever else it holds (`\!`,
 * `$(…)`, backticks, `*\/`, quotes). The same rendering keeps names from driving a terminal.
 */
import type { MigrationReport } from './report.js';
import { nextSteps } from './report.js';

const ENGINE_NAMES = { postgresql: 'PostgreSQL', mysql: 'MySQL/MariaDB', sqlite: 'SQLite' } as const;

// C0 and C1 controls, DEL, the Unicode line and paragraph separators, and the bidirectional
// formatting characters (which would make a reviewer read a comment other than it is).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const SHORT_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One printable line: every such character becomes a visible escape (\n, \u001b, \u202e…). */
export function oneLine(text: string): string {
  return text.replace(UNSAFE, (c) => SHORT_ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A name as a double-quoted, escaped string: unambiguous, and always one printable line. */
export function quotedName(name: string): string {
  return `"${oneLine(name.replace(/[\\"]/g, '\\$&'))}"`;
}

function label(r: MigrationReport): string {
  return r.workspaceName === null ? r.workspaceId : `${quotedName(r.workspaceName)} (${r.workspaceId})`;
}

function container(r: MigrationReport): string {
  return r.engine === 'postgresql' ? `schema "${r.workspaceId}"` : `database ${r.workspaceId}`;
}

function leftovers(r: MigrationReport): string {
  return r.leftovers.map(oneLine).join(', ');
}

export function dryRunText(r: MigrationReport): string {
  const c = r.engine === 'sqlite' ? '#' : '--';
  const lines = [
    `${c} fief-exporter migrate-in-place --dry-run: workspace ${label(r)} on ${ENGINE_NAMES[r.engine]}`,
    r.engine === 'sqlite'
      ? `${c} Nothing was changed. Run with sh -e, this stops unless the main file is still the one checked here, then makes the two moves a real run makes (the backup is named after the time of that run):`
      : `${c} Nothing was changed. A real run executes exactly this:`,
    ...r.statements,
  ];
  if (r.leftovers.length > 0) lines.push(`${c} ${container(r)} would keep ${leftovers(r)}, so it would not be dropped.`);
  return `${lines.join('\n')}\n`;
}

export function summaryText(r: MigrationReport): string {
  const lines: string[] = [];
  if (r.engine === 'sqlite') {
    lines.push(`Workspace ${label(r)} is now the main database; the legacy main file is kept as ${oneLine(r.backupPath ?? '?')}.`);
  } else {
    const types = r.movedTypes.length > 0 ? ` and ${r.movedTypes.length} enum types (${r.movedTypes.map(oneLine).join(', ')})` : '';
    const into = r.engine === 'postgresql' ? 'schema public' : 'the main database';
    lines.push(`Moved workspace ${label(r)} into ${into}: ${r.movedTables.length} tables${types}.`);
    lines.push(
      r.containerDropped ? `Dropped the empty ${container(r)}.` : `Kept ${container(r)}: it still holds ${leftovers(r)} (look at them, then drop it yourself).`,
    );
  }
  lines.push(...nextSteps({ ...r, otherWorkspaces: r.otherWorkspaces.map(oneLine), backupPath: r.backupPath === null ? null : oneLine(r.backupPath) }));
  return `${lines.join('\n')}\n`;
}
