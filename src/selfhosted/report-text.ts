/**
 * What `migrate-in-place` prints. A dry run is a script people may run themselves (psql, the
 * mysql client, sh), so every value it takes from the database is either quoted by the
 * statement builders (identifiers) or, here, rendered on ONE line inside a line comment:
 * `--`/`#` comments end only at a line break (psql also ends them at a carriage return), so a
 * value without control characters cannot leave its comment, whatever else it holds (`\!`,
 * `$(…)`, backticks, `*\/`, quotes). The same rendering keeps names from driving a terminal.
 */
import { untrusted } from '../text-safety.js';
import type { MigrationReport } from './report.js';
import { nextSteps } from './report.js';

const ENGINE_NAMES = { postgresql: 'PostgreSQL', mysql: 'MySQL/MariaDB', sqlite: 'SQLite' } as const;

/** One printable line (the bidirectional controls too, which would make a reviewer misread a comment). */
const oneLine = untrusted;

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
