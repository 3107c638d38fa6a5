/** The statement guard and our dumps' allow-list on their own: what is refused, and lookalikes that are not. */
import { describe, expect, it } from 'vitest';
import { oursRefusal } from '../src/restore/ours-allowlist.js';
import { statementRefusal } from '../src/restore/statement-guard.js';

describe('statementRefusal', () => {
  it.each([
    "COPY t FROM PROGRAM 'id'",
    "copy t (a) from '/etc/passwd'",
    "COPY (SELECT 1) TO '/tmp/x'",
    "COPY t FROM PROGRAM 'x' WHERE a IS DISTINCT FROM stdin",
    "SELECT pg_catalog.pg_read_file('/etc/passwd')",
    'SELECT "pg_ls_dir"(\'.\')',
    "SELECT U&\"pg\\005fstat\\005ffile\"('/')",
    "SELECT U&\"pg!005fstat!005ffile\" UESCAPE '!' ('/')",
    "SELECT * FROM dblink('host=evil', 'select 1') AS t(a int)",
    "CREATE OPERATOR ### (RIGHTARG = text, FUNCTION = pg_read_file)",
    "DO $$ BEGIN PERFORM lo_export(1, '/tmp/x'); END $$",
    "DO E'BEGIN PERFORM pg_read\\x5ffile(''/x''); END'",
    "DO $$ BEGIN EXECUTE format('COPY t TO %L', '/tmp/x'); END $$",
    "DO $$ BEGIN EXECUTE 'CREATE ROLE x SUPERUSER'; END $$",
    "DO LANGUAGE plpython3u $$ import os $$",
    "CREATE OR REPLACE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN COPY t TO PROGRAM 'x'; END $$",
    "CREATE FUNCTION f() RETURNS text LANGUAGE plpython3u AS $$ return plpy.execute(\"select pg_read_file('/x')\") $$",
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT pg_stat_file(\'/\') IS NULL; END',
    "alter system set work_mem = '1MB'",
    'DROP ROLE x',
    'CREATE USER x',
    'ALTER GROUP g ADD USER u',
    'CREATE DATABASE x',
    'REASSIGN OWNED BY a TO b',
    'GRANT pg_read_server_files TO a',
    "LOAD 'auto_explain'",
    'SELECT 1; COPY t TO STDOUT; COPY (SELECT 1) TO PROGRAM \'x\'',
  ])('refuses %s', (sql) => void expect(statementRefusal(sql)).not.toBeNull());

  it.each([
    "INSERT INTO t VALUES ('pg_read_file(''/etc/passwd'')', 'COPY t TO PROGRAM ''x''')",
    "-- COPY t FROM PROGRAM 'x'\nSELECT 1",
    "/* lo_import('/x') /* nested */ */ SELECT 1",
    "COMMENT ON TABLE t IS 'ALTER SYSTEM; CREATE ROLE x; DROP DATABASE y'",
    'COPY public."my table" (a, "b c") FROM stdin',
    'CREATE EXTENSION IF NOT EXISTS dblink WITH SCHEMA public',
    'CREATE USER MAPPING FOR CURRENT_USER SERVER s',
    'GRANT SELECT ON TABLE t TO app',
    'ALTER TABLE t OWNER TO app',
    'ALTER TABLE t DROP COLUMN role',
    "CREATE FUNCTION f() RETURNS int LANGUAGE c AS '$libdir/x', 'f'",
    "DO $$ BEGIN EXECUTE 'INSERT INTO t VALUES (1)'; END $$",
    "CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $$ BEGIN RETURN 'pg_read_file is refused'; END $$",
    'SELECT copy_from, dblink_id FROM t',
  ])('lets through %s', (sql) => void expect(statementRefusal(sql)).toBeNull());

  it('reads strings as the server does under standard_conforming_strings', () => {
    const sql = "SELECT 'a\\' , pg_read_file('/x') --'";
    expect(statementRefusal(sql, false)).toBeNull(); // one string: 'a\' , pg_read_file(...) --'
    expect(statementRefusal(sql, true)).toMatch(/pg_read_file/); // 'a\' ends: the call is code
  });
});

describe('oursRefusal', () => {
  it.each([
    'BEGIN;',
    "SET client_encoding = 'UTF8';",
    'SET statement_timeout = 0;',
    "SELECT pg_catalog.set_config('search_path', 'public', true);",
    'CREATE SCHEMA IF NOT EXISTS "x y";',
    "CREATE TYPE public.fief_acr AS ENUM (\n    '0',\n    '1'\n);",
    'CREATE TABLE public.fief_users (\n    id uuid NOT NULL,\n    created_at timestamp with time zone DEFAULT now() NOT NULL\n);',
    'COPY public.fief_users (id, "email") FROM stdin;',
    'ALTER TABLE ONLY public.fief_users\n    ADD CONSTRAINT fief_users_pkey PRIMARY KEY (id);',
    'CREATE UNIQUE INDEX ix ON public.fief_users USING btree (email);',
    "COMMENT ON COLUMN public.fief_users.email IS 'x';",
    'COMMIT;',
  ])('accepts what our exporter writes: %s', (sql) => void expect(oursRefusal(sql)).toBeNull());

  it.each([
    "INSERT INTO public.fief_users VALUES ('x');",
    'UPDATE public.fief_users SET email = 1;',
    'SELECT 1;',
    "SET session_authorization = 'x';",
    'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;',
    'CREATE TRIGGER t AFTER INSERT ON public.fief_users FOR EACH ROW EXECUTE FUNCTION f();',
    'BEGIN; SELECT 1;',
    'CREATE TABLE t (a int); DROP TABLE x',
  ])('refuses anything else: %s', (sql) => void expect(oursRefusal(sql)).toMatch(/fief-exporter never writes such a statement/));
});
