/**
 * `fief-exporter migrate-in-place`: the self-hosted move to Fief ≥ 0.28 of ONE workspace into
 * the legacy main database (PostgreSQL, MySQL/MariaDB) or file (SQLite), done correctly.
 * Output: with --dry-run, stdout is exactly what would run (SQL, or shell for SQLite); else a
 * summary and next steps. Warnings go to stderr.
 */
import type { Command } from 'commander';
import { parseDatabaseUrl } from '../../db/connection.js';
import { UsageError } from '../../errors.js';
import { isUuid } from '../../legacy/workspaces.js';
import { parseMysqlUrl } from '../../selfhosted/mysql-client.js';
import { migrateMysql } from '../../selfhosted/mysql.js';
import { migratePostgres } from '../../selfhosted/postgres.js';
import type { MigrationReport } from '../../selfhosted/report.js';
import { dryRunText, summaryText } from '../../selfhosted/report-text.js';
import { migrateSqlite } from '../../selfhosted/sqlite.js';
import { print, printErr, safe } from '../io.js';
import { requireOptions } from '../options.js';

interface MigrateFlags {
  workspace?: string;
  databaseUrl?: string;
  mysqlUrl?: string;
  sqliteDir?: string;
  mainFile?: string;
  dryRun?: boolean;
  strict?: boolean;
}

function run(flags: MigrateFlags): Promise<MigrationReport> {
  const given = [flags.databaseUrl, flags.mysqlUrl, flags.sqliteDir].filter((v) => v !== undefined);
  const oneTarget = given.length === 1 ? [] : ['give exactly one of --database-url (PostgreSQL), --mysql-url (MySQL/MariaDB) or --sqlite-dir (SQLite)'];
  const [workspace] = requireOptions([{ value: flags.workspace, flag: '--workspace' }], oneTarget);
  if (!isUuid(workspace)) throw new UsageError(`--workspace must be a workspace id (a UUID), got ${JSON.stringify(flags.workspace)}`);
  if (flags.mainFile !== undefined && flags.sqliteDir === undefined) throw new UsageError('--main-file only applies with --sqlite-dir');
  const common = { workspaceId: workspace, dryRun: flags.dryRun ?? false };
  if (flags.databaseUrl !== undefined) {
    return migratePostgres({ ...common, mainDatabase: parseDatabaseUrl(flags.databaseUrl), strict: flags.strict ?? false });
  }
  if (flags.mysqlUrl !== undefined) return migrateMysql({ ...common, target: parseMysqlUrl(flags.mysqlUrl), strict: flags.strict ?? false });
  return migrateSqlite({ ...common, dir: flags.sqliteDir ?? '', ...(flags.mainFile === undefined ? {} : { mainFile: flags.mainFile }) });
}

export async function migrateInPlaceCommand(flags: MigrateFlags): Promise<void> {
  // Errors quoting names from the database are escaped where runCli prints them.
  const report = await run(flags);
  for (const w of report.warnings) printErr(safe`warning: ${w}\n`);
  // A dry run prints the exact SQL (or shell) to run, its names already confined to comments
  // and literals (report-text.ts): escaping here would change it.
  print(report.dryRun ? dryRunText(report) : summaryText(report));
}

export function register(program: Command): void {
  program
    .command('migrate-in-place')
    .description('Self-hosted: move one workspace into the main database in place, so Fief ≥ 0.28 can start on it')
    .option('--workspace <id>', 'workspace id (required)')
    .option('--database-url <url>', 'PostgreSQL: the legacy main database (the workspace is its schema "<id>")')
    .option('--mysql-url <url>', 'MySQL/MariaDB: mysql://user:password@host:port/maindb (password also from MYSQL_PWD)')
    .option('--sqlite-dir <dir>', "SQLite: Fief's DATABASE_LOCATION, holding the main file and the <id> file")
    .option('--main-file <name>', 'SQLite: the main file in --sqlite-dir (default fief.db)')
    .option('--dry-run', 'print exactly what would run, change nothing')
    .option('--strict', 'fail on pre-flight warnings (PostgreSQL, MySQL)')
    .action((flags: MigrateFlags) => migrateInPlaceCommand(flags));
}
