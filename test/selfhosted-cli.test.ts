/** `fief-exporter migrate-in-place` usage errors (exit 2) and connection failures (exit 1), in-process. */
import { describe, expect, it } from 'vitest';
import { cli, expectOneLineError } from './helpers/cli.js';

const ID = '00000000-0000-4000-8000-000000000000';

describe('fief-exporter migrate-in-place: usage', () => {
  it.each([
    ['no database at all', ['--workspace', ID], /give exactly one of --database-url \(PostgreSQL\), --mysql-url \(MySQL\/MariaDB\) or --sqlite-dir/],
    ['two databases', ['--workspace', ID, '--database-url', 'postgres://x@127.0.0.1/db', '--sqlite-dir', '/tmp'], /give exactly one of/],
    ['all three', ['--workspace', ID, '--database-url', 'postgres://a/b', '--mysql-url', 'mysql://a/b', '--sqlite-dir', '/tmp'], /give exactly one of/],
    ['a non-UUID workspace', ['--workspace', 'main', '--sqlite-dir', '/tmp'], /--workspace must be a workspace id \(a UUID\)/],
    ['--main-file without --sqlite-dir', ['--workspace', ID, '--database-url', 'postgres://a/b', '--main-file', 'x.db'], /--main-file only applies with --sqlite-dir/],
    ['a --main-file path', ['--workspace', ID, '--sqlite-dir', '/tmp', '--main-file', '../fief.db'], /--main-file must be a file name/],
    ['no --workspace', ['--sqlite-dir', '/tmp'], /^fief-exporter: missing --workspace$/m],
    ['nothing at all: every problem in one run', [], /^fief-exporter: missing --workspace; give exactly one of --database-url/m],
  ])('exits 2 on %s', async (_what, args, message) => {
    const r = await cli(['migrate-in-place', ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('fief-exporter migrate-in-place: failures', () => {
  it.each([
    ['an unreachable PostgreSQL', ['--database-url', 'postgres://postgres:hunter2@127.0.0.1:1/x'], /^fief-exporter: cannot reach PostgreSQL at 127\.0\.0\.1:1\/x \(ECONNREFUSED\)$/],
    ['an unreachable MySQL', ['--mysql-url', 'mysql://root:hunter2@127.0.0.1:1/x'], /^fief-exporter: cannot reach MySQL at 127\.0\.0\.1:1\/x \(ECONNREFUSED\)$/],
    ['a missing SQLite directory', ['--sqlite-dir', '/nonexistent/fief'], /\/nonexistent\/fief is not a directory/],
  ])('exits 1 with one sentence on %s', async (_what, args, message) => {
    const r = await cli(['migrate-in-place', '--workspace', ID, ...args]);
    expect(r.code).toBe(1);
    expect(expectOneLineError(r)).toMatch(message);
    expect(r.stderr).not.toContain('hunter2');
  });

  it.each([
    ['a malformed PostgreSQL URL', ['--database-url', 'mysql://x/y'], /must start with postgres:\/\//],
    ['a malformed MySQL URL', ['--mysql-url', 'postgres://x/y'], /the MySQL URL must start with mysql:\/\//],
    ['a MySQL URL without the main database', ['--mysql-url', 'mysql://root@127.0.0.1:3306/'], /must name the legacy main database/],
    ['a MySQL URL with a broken %-escape', ['--mysql-url', 'mysql://root:hunter2%E0%A4@127.0.0.1:3306/x'], /^fief-exporter: the MySQL URL has a malformed %-escape \(in its user, password or database\)$/],
  ])('exits 2 (usage) with one sentence on %s', async (_what, args, message) => {
    const r = await cli(['migrate-in-place', '--workspace', ID, ...args]);
    expect(r.code).toBe(2);
    expect(expectOneLineError(r)).toMatch(message);
    expect(r.stderr).not.toContain('hunter2');
  });

  it('is listed in --help', async () => {
    const r = await cli(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/migrate-in-place/);
  });
});
