/**
 * Hand-written scripts that exercise psql's lexer where pg_dump never goes (top-level E''
 * strings, standard_conforming_strings off, literal continuation, `\;`, text after a COPY
 * statement, transaction control, CRLF and a byte-order mark): psql -1 and the importer must
 * both accept them and leave the same state.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDump } from '../src/restore/index.js';
import { useTestDatabase } from './helpers/db.js';
import { captureDbState } from './helpers/db-state.js';
import { psqlFile } from './helpers/pg-tools.js';

const SCRIPTS: Record<string, string | Buffer> = {
  'standard_conforming_strings off, then on again': [
    'SET standard_conforming_strings = off;',
    'SET escape_string_warning = off;',
    'CREATE TABLE s (v text);',
    "INSERT INTO s VALUES ('it\\'s; a \\\\ backslash'), ('semi;\\'colon');",
    'SET standard_conforming_strings = on;',
    "INSERT INTO s VALUES ('plain \\ backslash; ''quoted'''), (E'esc\\'aped\\ttab;');",
  ].join('\n'),
  'literal continuation keeps the first piece rules': [
    'CREATE TABLE c (v text);',
    "INSERT INTO c VALUES (E'first\\n'",
    '  -- a comment between the pieces',
    "  'second \\' still;');",
    "INSERT INTO c VALUES ('a'",
    "'b'), (B'1' || 'x');",
  ].join('\n'),
  '\\; compounds and statements after COPY on its line': [
    'CREATE TABLE k (a int)\\; CREATE TABLE k2 (b int);',
    'COPY k FROM stdin; INSERT INTO k2 VALUES (7);',
    '1',
    '2',
    '\\.',
    'INSERT INTO k VALUES (3);',
  ].join('\n'),
  'BEGIN/COMMIT, savepoints and BEGIN ATOMIC': [
    'BEGIN;',
    'CREATE TABLE x (a int);',
    'SAVEPOINT s1;',
    'INSERT INTO x VALUES (1);',
    'ROLLBACK TO SAVEPOINT s1;',
    'INSERT INTO x VALUES (2);',
    'CREATE FUNCTION fx() RETURNS int LANGUAGE sql',
    'BEGIN ATOMIC',
    '  SELECT CASE WHEN count(*) > 0 THEN count(*)::int ELSE 0 END FROM x;',
    'END;',
    'COMMIT;',
    'CREATE TABLE after_commit (a int);',
  ].join('\n'),
  'CRLF line ends and a byte-order mark': Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    Buffer.from('CREATE TABLE crlf (a int, b text);\r\nCOPY crlf (a, b) FROM stdin;\r\n1\tone\r\n2\t\\\\.\r\n\\.\r\n-- done\r\nINSERT INTO crlf VALUES (3, \'x\r\ny\');\r\n'),
  ]),
  'a last statement without semicolon': 'CREATE TABLE z (a int);\nINSERT INTO z VALUES (1)',
  '\\restrict pairs and meta-command lines': '\\restrict abc123\nCREATE TABLE r (a int);\n\\unrestrict abc123\n',
  'dollar quotes, identifiers with $ and parameters': [
    'CREATE TABLE d$1 (a$b int);',
    'PREPARE ins(int) AS INSERT INTO d$1 VALUES ($1);',
    'EXECUTE ins(5);',
    'DO $do$ BEGIN EXECUTE $$INSERT INTO d$1 VALUES (6)$$; PERFORM $x$;$x$; END $do$;',
    'CREATE FUNCTION dq() RETURNS text LANGUAGE sql AS $a$ SELECT $b$ $a $$ ; $b$ $a$;',
    'CREATE TABLE dq_out AS SELECT dq() AS v;',
  ].join('\n'),
  'U&, B and X literals, nested comments': [
    'CREATE TABLE u (t text, b bit(8), h bit(8), q text);',
    "/* outer /* inner; */ still a comment; */ INSERT INTO u VALUES (U&'d\\0061t\\+000061;', B'01010101', X'1F', U&'\\0078;y');",
    'INSERT INTO u (t) VALUES (\'-- not a comment\'), (\'/* nor this */\');',
  ].join('\n'),
};

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'fe-equiv-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('same end state as psql -1 -v ON_ERROR_STOP=1 -f', () => {
  it.each(Object.keys(SCRIPTS))('%s', async (name) => {
    const file = join(dir, `${name.replace(/\W+/g, '_')}.sql`);
    await writeFile(file, SCRIPTS[name] ?? '');
    const viaPsql = await useTestDatabase('fe_psql');
    const viaUs = await useTestDatabase('fe_ours');
    const psql = await psqlFile(viaPsql.url, file);
    expect(psql.code, psql.stderr).toBe(0);
    const summary = await importDump({ file, database: { connectionString: viaUs.url } });
    expect(summary.format).toBe('plain');
    const state = await captureDbState(viaUs.url);
    expect(state).toEqual(await captureDbState(viaPsql.url));
    expect((state.data ?? []).length).toBeGreaterThan(0);
  });
});
