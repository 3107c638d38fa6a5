/**
 * Files written by an attacker, imported as a superuser: nothing may act on the database
 * server's host or beyond the target database. Each one ends with one error line naming the
 * statement and its line, the target's catalog and data unchanged, and no file on the host
 * (the server runs on this machine, so a file it would write is visible here).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { query, useTestDatabase } from './helpers/db.js';
import { captureDbState } from './helpers/db-state.js';
import { corpusTarget } from './helpers/corpus-target.js';
import { cli, expectOneLineError } from './helpers/cli.js';
import { fiefDump } from './helpers/fief-dump.js';

/** `@F` in a case stands for a path on the host that must not exist afterwards. */
type Case = [name: string, script: string, line: number, pattern: RegExp];

const T = 'CREATE TABLE t (a text);\n';
const COPY_REFUSED = /COPY other than FROM STDIN/;
const ours = fiefDump();
// Injected right before the first key of fief_users, as the engine writes it.
const ANCHOR = 'ALTER TABLE ONLY "public"."fief_users"';
if (!ours.includes(ANCHOR)) throw new Error(`the hand-made dump no longer holds ${ANCHOR}`);
const inOurs = (stmt: string): string => ours.replace(ANCHOR, `${stmt}\n${ANCHOR}`);
const oursLine = ours.slice(0, ours.indexOf(ANCHOR)).split('\n').length;

const CASES: Case[] = [
  ['COPY FROM PROGRAM', `${T}COPY t FROM PROGRAM 'id > @F';\n`, 2, COPY_REFUSED],
  ['COPY TO PROGRAM', `${T}COPY t TO PROGRAM 'touch @F';\n`, 2, COPY_REFUSED],
  ['COPY TO a file', `${T}COPY t TO '@F';\n`, 2, COPY_REFUSED],
  ['COPY FROM a file', `${T}COPY t FROM '/etc/hostname';\n`, 2, COPY_REFUSED],
  ['COPY (query) TO a file', `COPY (SELECT 1) TO '@F';\n`, 1, COPY_REFUSED],
  ['COPY FROM PROGRAM dressed as FROM STDIN', `${T}COPY t FROM PROGRAM 'touch @F' WHERE a IS DISTINCT FROM stdin;\n\\.\n`, 2, COPY_REFUSED],
  ['COPY in a \\; compound', `SELECT 1 \\; COPY (SELECT 1) TO '@F';\n`, 1, COPY_REFUSED],
  ['pg_read_file', `SELECT pg_read_file('/etc/hostname');\n`, 1, /pg_read_file reads or writes files/],
  ['schema-qualified pg_ls_dir in FROM', `SELECT * FROM pg_catalog.pg_ls_dir('.');\n`, 1, /pg_ls_dir/],
  ['quoted "pg_read_binary_file"', `SELECT "pg_read_binary_file"('/etc/hostname');\n`, 1, /pg_read_binary_file/],
  ['U&-escaped identifier', `SELECT U&"pg\\005fread\\005ffile"('/etc/hostname');\n`, 1, /pg_read_file/],
  ['pg_stat_file on line 3', `${T}\nSELECT pg_stat_file('/');\n`, 3, /pg_stat_file/],
  ['lo_export writes a file', `SELECT lo_export(lo_from_bytea(0, 'x'), '@F');\n`, 1, /lo_export/],
  ['lo_import', `SELECT lo_import('/etc/hostname');\n`, 1, /lo_import/],
  ['dblink_exec', `SELECT dblink_exec('dbname=postgres', 'CREATE ROLE x');\n`, 1, /dblink_exec/],
  ['a call among batched INSERTs', `${T}INSERT INTO t VALUES ('a');\nINSERT INTO t SELECT pg_read_file('/etc/hostname');\n`, 3, /pg_read_file/],
  ['DO block calling pg_stat_file', `DO $$ BEGIN PERFORM pg_stat_file('/'); END $$;\n`, 1, /pg_stat_file/],
  ['DO block with a COPY TO PROGRAM', `${T}DO $x$ BEGIN COPY t TO PROGRAM 'touch @F'; END $x$;\n`, 2, COPY_REFUSED],
  ['DO block running dynamic SQL', `DO $$ BEGIN EXECUTE 'COPY (SELECT 1) TO ' || quote_literal('@F'); END $$;\n`, 1, /computed SQL/],
  ['DO block running a constant COPY TO PROGRAM', `${T}DO $$ BEGIN EXECUTE 'COPY t TO PROGRAM ''touch @F'''; END $$;\n`, 2, COPY_REFUSED],
  ['DO block in another language', `DO LANGUAGE plperlu $$ system('touch @F') $$;\n`, 1, /DO block in language plperlu/],
  ['DO block with a single-quoted body', `DO 'BEGIN PERFORM pg_read_file(''/etc/hostname''); END';\n`, 1, /pg_read_file/],
  ['function body calling lo_export, then called', `CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT lo_export(lo_from_bytea(0, ''x''), ''@F'')::int';\nSELECT f();\n`, 1, /lo_export/],
  ['C function from a file', `CREATE FUNCTION f() RETURNS int LANGUAGE c AS '/tmp/evil.so', 'f';\n`, 1, /outside the server's \$libdir/],
  ['ALTER SYSTEM', `ALTER SYSTEM SET work_mem = '1MB';\n`, 1, /ALTER SYSTEM changes the configuration/],
  ['CREATE ROLE', `CREATE ROLE evil SUPERUSER LOGIN;\n`, 1, /CREATE ROLE acts on the whole server/],
  ['ALTER USER', `ALTER USER postgres PASSWORD 'x';\n`, 1, /ALTER USER/],
  ['DROP DATABASE', `${T}DROP DATABASE IF EXISTS nope;\n`, 2, /DROP DATABASE/],
  ['CREATE DATABASE', `CREATE DATABASE evil;\n`, 1, /CREATE DATABASE/],
  ['CREATE GROUP', `CREATE GROUP evil;\n`, 1, /CREATE GROUP/],
  ['GRANT a role', `GRANT pg_execute_server_program TO CURRENT_USER;\n`, 1, /role membership/],
  ['LOAD a library', `LOAD '/tmp/evil.so';\n`, 1, /LOAD loads a library/],
  ['\\! shell command', `${T}\\! touch @F\n`, 2, /the psql command \\! is not supported/],
  ['\\copy from a program', `${T}\\copy t from program 'touch @F'\n`, 2, /the psql command \\copy is not supported/],
  ['\\o to a pipe', `\\o |touch @F\nSELECT 1;\n`, 1, /the psql command \\o is not supported/],
  ['\\setenv', `\\setenv PAGER 'touch @F'\nSELECT 1;\n`, 1, /the psql command \\setenv is not supported/],
  ['\\i a file', `\\i /etc/hostname\n`, 1, /the psql command \\i is not supported/],
  ['our dump with an injected INSERT', inOurs(`INSERT INTO public.fief_users (id, email, acr) VALUES ('a1b2c3d4-0000-4000-8000-0000000000ff', 'evil@example.com', '1');`), oursLine, /fief-exporter never writes such a statement/],
  ['our dump with an injected function', inOurs(`CREATE FUNCTION public.f() RETURNS int LANGUAGE sql AS 'SELECT 1';`), oursLine, /fief-exporter never writes such a statement/],
  ['our dump with a default reading a file', inOurs(`CREATE TABLE public.x (a text DEFAULT pg_read_file('/etc/hostname'));`), oursLine, /pg_read_file/],
  ['our dump with a statement after COMMIT', `${ours}SELECT 1;\n`, ours.split('\n').length, /follows the dump's final COMMIT/],
];

const target = corpusTarget('fe-hostile', `CREATE TABLE keep (id int PRIMARY KEY, v text); INSERT INTO keep VALUES (1, 'one');`);

describe('hostile files imported as a superuser', () => {
  it.each(CASES)('%s', async (name, script, line, pattern) => {
    const hostFile = join(tmpdir(), `fe-hostile-${randomBytes(6).toString('hex')}`);
    const file = join(target.dir, `${name.replace(/\W+/g, '_')}.sql`);
    await writeFile(file, script.replaceAll('@F', hostFile));
    const r = await cli(['import', file, '--database-url', target.url]);
    expect(r.code, r.stderr).toBe(1);
    const message = expectOneLineError(r);
    expect(message).toMatch(new RegExp(`^fief-exporter: line ${line}: `));
    expect(message).toMatch(pattern);
    expect(message).toMatch(/the target database is unchanged$/);
    expect(existsSync(hostFile), `${hostFile} was created on the host`).toBe(false);
    expect(await captureDbState(target.url)).toEqual(target.before);
  });
});

describe('lookalikes that are harmless still import', () => {
  it('names in strings and comments, COPY FROM STDIN, functions and extensions', async () => {
    const db = await useTestDatabase('fe_lookalike');
    const script = [
      '-- COPY t FROM PROGRAM \'touch /tmp/x\'; SELECT pg_read_file(\'/etc/passwd\');',
      'CREATE EXTENSION IF NOT EXISTS dblink;',
      'CREATE TABLE t (a text, copy_from text);',
      "/* lo_import('/etc/passwd') */ INSERT INTO t VALUES ('pg_read_file(''/etc/passwd'')', 'COPY t TO PROGRAM ''x''');",
      "COMMENT ON TABLE t IS 'ALTER SYSTEM; CREATE ROLE x; DROP DATABASE y';",
      "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'pg_read_file is refused'; END $$;",
      "DO $$ BEGIN PERFORM f(); END $$;",
      'ALTER TABLE t OWNER TO CURRENT_USER;',
      'COPY t (a, copy_from) FROM stdin;',
      'x\ty',
      '\\.',
      '',
    ].join('\n');
    const file = join(target.dir, 'lookalikes.sql');
    await writeFile(file, script);
    const r = await cli(['import', file, '--database-url', db.url]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = await query<{ n: string }>(db.url, 'SELECT count(*)::text AS n FROM t');
    expect(rows[0]?.n).toBe('2');
  });
});
