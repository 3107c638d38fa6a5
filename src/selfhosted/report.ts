/**
 * What an in-place migration did (or, with --dry-run, would do), and the advice that follows
 * it. Shared by the three engines so the CLI prints them alike.
 */
export type Engine = 'postgresql' | 'mysql' | 'sqlite';

export interface MigrationReport {
  engine: Engine;
  workspaceId: string;
  /** From the `workspaces` row of the main database (or main file, on SQLite). */
  workspaceName: string | null;
  dryRun: boolean;
  /** Pre-flight warnings (already fatal under `strict`, so these are the tolerated ones). */
  warnings: string[];
  /** What ran (or would run), in order: SQL statements, or `mv` commands for SQLite. Printed as a script: quote every name in them. */
  statements: string[];
  /** Tables (and, on PostgreSQL, enum types) moved into the main database. */
  movedTables: string[];
  movedTypes: string[];
  /** The emptied workspace schema/database was (or would be) dropped. */
  containerDropped: boolean;
  /** Objects that stay in the workspace schema/database, which is then kept. */
  leftovers: string[];
  /** SQLite: where the legacy main file is kept. */
  backupPath: string | null;
  /** Other workspaces still present: they cannot share this database. */
  otherWorkspaces: string[];
}

/**
 * The report of a move into the main database (PostgreSQL, MySQL): the workspace's schema or
 * database is dropped exactly when nothing was left behind in it.
 */
export function moveReport(
  fields: Omit<MigrationReport, 'containerDropped' | 'backupPath' | 'movedTypes'> & { movedTypes?: string[] },
): MigrationReport {
  return { movedTypes: [], ...fields, containerDropped: fields.leftovers.length === 0, backupPath: null };
}

/** The legacy main tables Fief ≥ 0.28 ignores; the official recipe deletes them only after checking. */
export const LEGACY_MAIN_TABLES = ['admin_api_key', 'admin_session_tokens', 'alembic_version', 'workspace_users', 'workspaces'] as const;

/** The advice after a successful (non-dry) run, one line each. */
export function nextSteps(report: MigrationReport): string[] {
  const lines = [
    'Next steps:',
    '  1. Keep your ENCRYPTION_KEY (and SECRET): the encrypted values were moved unchanged, so Fief ≥ 0.28 needs the same key ' +
      '(with another SECRET, users simply sign in again).',
    report.engine === 'sqlite'
      ? '  2. Start Fief ≥ 0.28 with the same DATABASE_LOCATION and DATABASE_NAME: it upgrades the schema on startup.'
      : '  2. Start Fief ≥ 0.28 on this database (table prefix fief_): it upgrades the schema on startup.',
    '  3. Give yourself the admin role: fief grant-admin-role <email> (a user of the default tenant).',
    '  4. Admin API keys are not migrated: create new ones and update their callers.',
  ];
  if (report.engine === 'sqlite') {
    lines.push(`  5. After checking that everything works, you may delete the backup ${report.backupPath ?? ''} (it holds the legacy main tables).`);
  } else {
    lines.push(`  5. After checking that everything works, you may drop the legacy main tables: ${LEGACY_MAIN_TABLES.join(', ')}.`);
  }
  if (report.otherWorkspaces.length > 0) {
    lines.push(
      `Other workspaces are still here (${report.otherWorkspaces.join(', ')}): Fief ≥ 0.28 runs one workspace per database, ` +
        'so move each into its own database (for PostgreSQL: fief-exporter export, then import) before dropping anything.',
    );
  }
  return lines;
}
