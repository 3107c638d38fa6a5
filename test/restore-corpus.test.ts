/**
 * Malformed and hostile inputs through the real CLI code path: each must end with exactly one
 * clear error line (with the line number where one applies), exit code 1, no secret printed,
 * and a target database whose catalog and data are exactly as before.
 */
import { createHash } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { runCli } from '../src/cli/program.js';
import { query, useTestDatabase } from './helpers/db.js';
import { corpusTarget } from './helpers/corpus-target.js';
import { captureDbState } from './helpers/db-state.js';
import { DUMP_KEY, fiefDump } from './helpers/fief-dump.js';
import { writeZip } from './helpers/zip-file.js';

/** Deterministic "random" bytes, so a failure reproduces. */
function garbage(size: number, seed: string): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; parts.length * 32 < size; i++) parts.push(createHash('sha256').update(`${seed}${i}`).digest());
  return Buffer.concat(parts).subarray(0, size);
}

const gz = (s: string): Buffer => gzipSync(Buffer.from(s));
const ours = fiefDump();
const keyed = `-- ENCRYPTION_KEY=${DUMP_KEY}\n-- a header\nCREATE TABLE t (a int);\nSELEC 1;\n`;

type Case = [name: string, content: string | Buffer | ((dir: string) => Promise<string>), pattern: RegExp];

const CASES: Case[] = [
  ['unterminated single quote', "CREATE TABLE a (x text);\nINSERT INTO a VALUES ('oops);\n", /line 2: unterminated quoted string/],
  ['unterminated E string', "CREATE TABLE a (x text);\nINSERT INTO a VALUES (E'it\\');\n", /line 2: unterminated quoted string/],
  ['unterminated dollar quote', 'CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1;\n', /line 1: unterminated dollar-quoted string \$\$/],
  ['dollar quote closed by another tag', 'SELECT 1;\nDO $a$ BEGIN NULL; END $b$;\n', /line 2: unterminated dollar-quoted string \$a\$/],
  ['unterminated nested comment', 'SELECT 1;\n/* start\n/* nested */\nSELECT 2;\n', /line 2: unterminated \/\* comment/],
  ['unterminated quoted identifier', 'CREATE TABLE "oops (a int);\n', /line 1: unterminated quoted identifier/],
  ['COPY block without \\.', 'CREATE TABLE c (a int);\nCOPY c FROM stdin;\n1\n2\n', /line 2: the COPY data starting at line 3 has no terminating \\\. line/],
  ['bad COPY row', 'CREATE TABLE c (a int);\nCOPY c FROM stdin;\n1\nx\n\\.\n', /line 4: COPY data for c was rejected: invalid input syntax for type integer: "x"/],
  ['too many COPY columns', 'CREATE TABLE c (a int, b int);\nCOPY c (a, b) FROM stdin;\n1\t2\n3\t4\t5\n\\.\n', /line 4: COPY data for c was rejected: extra data after last expected column/],
  ['too few COPY columns', 'CREATE TABLE c (a int, b int);\nCOPY c (a, b) FROM stdin;\n1\t2\n3\n\\.\n', /line 4: COPY data for c was rejected: missing data for column "b"/],
  ['COPY into a missing table', 'COPY nope (a) FROM stdin;\n1\n\\.\n', /line 1: COPY nope \(a\) FROM stdin; failed: relation "nope" does not exist/],
  ['SQL error midway', 'CREATE TABLE a (x int);\nINSERT INTO nope VALUES (1);\nCREATE TABLE b (y int);\n', /line 2: INSERT INTO nope VALUES \(1\); failed: relation "nope" does not exist/],
  ['error in the last statement', 'CREATE TABLE a (x int);\nINSERT INTO a VALUES (1);\nSELECT 1/0;', /line 3: SELECT 1\/0; failed: division by zero/],
  ['error deep in a multi-line statement', 'CREATE TABLE a (\n  x int,\n  y intt\n);\n', /line 3: CREATE TABLE a \( failed \(in the statement starting at line 1\): type "intt" does not exist/],
  ['a failing INSERT among many (sent in batches)', `CREATE TABLE u (id int PRIMARY KEY);\n${Array.from({ length: 500 }, (_, k) => `INSERT INTO u VALUES (${k === 316 ? 5 : k});\n`).join('')}`, /line 318: INSERT INTO u VALUES \(5\); failed: duplicate key value violates unique constraint "u_pkey" \(detail: Key \(id\)=\(5\) already exists\.\)/],
  ['a syntax error among many INSERTs', `CREATE TABLE u (id int);\n${Array.from({ length: 300 }, (_, k) => (k === 250 ? 'INSERT INTO u VALUES (1 2);\n' : `INSERT INTO u VALUES (${k});\n`)).join('')}`, /line 252: INSERT INTO u VALUES \(1 2\); failed: syntax error at or near "2"/],
  ['a server hint is shown', 'CREATE TABLE a (x int);\nSELECT * FROM a WHERE x = "1";\n', /line 2: .*column "1" does not exist/],
  ['unknown meta-command', 'SELECT 1;\n\\foo bar\n', /line 2: the psql command \\foo is not supported/],
  ['\\connect', 'CREATE TABLE a (x int);\n\\connect otherdb\n', /line 2: \\connect \(switching databases\) is not supported/],
  ['\\c', '\\c otherdb\nCREATE TABLE a (x int);\n', /line 1: \\c \(switching databases\) is not supported/],
  ['\\. outside COPY data', 'CREATE TABLE a (x int);\n\\.\n', /line 2: the psql command \\\. is not supported/],
  ['\\restrict without \\unrestrict', '\\restrict abc\nCREATE TABLE a (x int);\n', /line 1: \\restrict has no matching \\unrestrict/],
  ['mismatched \\unrestrict key', '\\restrict abc\nCREATE TABLE a (x int);\n\\unrestrict abd\n', /line 3: the \\unrestrict key does not match the \\restrict key of line 1/],
  ['\\unrestrict alone', 'CREATE TABLE a (x int);\n\\unrestrict abc\n', /line 2: \\unrestrict without a preceding \\restrict/],
  ['\\restrict twice', '\\restrict abc\n\\restrict def\n', /line 2: \\restrict inside the restricted section opened at line 1/],
  ['\\restrict without a key', '\\restrict\nCREATE TABLE a (x int);\n', /line 1: \\restrict needs exactly one argument/],
  ['a lone backslash at the end', 'CREATE TABLE a (x int);\n\\', /line 2: a lone backslash is not a valid command/],
  ['ROLLBACK in the script', 'CREATE TABLE a (x int);\nROLLBACK;\n', /line 2: ROLLBACK; would end the import's transaction/],
  ['COMMIT hidden in a \\; compound', 'CREATE TABLE a (x int)\\; COMMIT;\n', /line 1: transaction control or COPY inside a \\; compound query/],
  ['COPY TO STDOUT', 'CREATE TABLE a (x int);\nCOPY a TO STDOUT;\n', /line 2: COPY \.\.\. TO STDOUT has no place in an import/],
  ['a non-UTF-8 client_encoding', "SET client_encoding = 'LATIN1';\nCREATE TABLE a (x int);\n", /line 1: the script switches client_encoding to LATIN1/],
  ['binary garbage with NUL bytes', Buffer.concat([Buffer.from('SELECT 1;\n'), garbage(4000, 'nul')]), /line \d+: NUL byte in the script|not valid UTF-8|unterminated/],
  ['invalid UTF-8', Buffer.concat([Buffer.from('CREATE TABLE a (x text);\nINSERT INTO a VALUES (1'), Buffer.from([0xff, 0xfe]), Buffer.from(');\n')]), /line 2: the statement is not valid UTF-8/],
  ['empty file', '', /the input is empty/],
  ['comments only', '-- nothing\n/* here */\n', /the input holds no SQL statements/],
  ['a UTF-8 BOM, then an error on line 3', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('CREATE TABLE a (x int);\n\nSELEC 1;\n')]), /line 3: SELEC 1; failed: syntax error at or near "SELEC"/],
  ['CRLF line ends, unterminated quote on line 2', "CREATE TABLE a (x text);\r\nINSERT INTO a VALUES ('x);\r\n", /line 2: unterminated quoted string/],
  ['the key line is never echoed', keyed, /line 4: SELEC 1; failed: syntax error/],
  ['our format truncated mid-COPY', ours.slice(0, ours.indexOf('bob@')), /the dump is truncated: line \d+: the COPY data starting at line \d+ has no terminating/],
  ['our format without its final COMMIT', ours.slice(0, ours.lastIndexOf('COMMIT;')), /the dump ends at line \d+ without its final COMMIT: it is truncated/],
  ['our format cut mid-statement', ours.slice(0, ours.indexOf('ADD CONSTRAINT') + 6), /the dump ends at line \d+ in the middle of a statement: it is truncated/],
  ['pg_dump custom format', Buffer.concat([Buffer.from('PGDMP'), garbage(200, 'custom')]), /is a pg_dump custom-format archive, not a plain SQL script: restore it with pg_restore/],
  ['truncated gzip', async (dir) => {
    const full = gz(`CREATE TABLE a (x int);\n${'INSERT INTO a VALUES (1);\n'.repeat(2000)}`);
    const path = join(dir, 'cut.sql.gz');
    await writeFile(path, full.subarray(0, Math.floor(full.length / 2)));
    return path;
  }, /the gzip data of cut\.sql\.gz is truncated or corrupt \(unexpected end of file\)/],
  ['gzip-named file that is not gzip', async (dir) => {
    const path = join(dir, 'plain.sql.gz');
    await writeFile(path, 'CREATE TABLE a (x int);\n');
    return path;
  }, /plain\.sql\.gz is named like a compressed file but holds no gzip or zip data/],
  ['zip without a dump', async (dir) => {
    const path = join(dir, 'nodump.zip');
    await writeZip(path, [{ name: 'README.txt', data: Buffer.from('hello') }]);
    return path;
  }, /the zip archive nodump\.zip holds no \.sql file/],
  ['zip with two dumps', async (dir) => {
    const path = join(dir, 'two.zip');
    await writeZip(path, [{ name: 'a.sql', data: Buffer.from('SELECT 1;') }, { name: 'b.sql', data: Buffer.from('SELECT 2;') }]);
    return path;
  }, /the zip archive two\.zip holds 2 dumps \(a\.sql, b\.sql\); choose one with --entry <name>/],
  ['corrupt zip', async (dir) => {
    const path = join(dir, 'corrupt.zip');
    await writeFile(path, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), garbage(300, 'zip')]));
    return path;
  }, /corrupt\.zip is not a readable zip archive/],
  ['missing file', (dir) => Promise.resolve(join(dir, 'does-not-exist.sql')), /does-not-exist\.sql: no such file/],
  ['a directory', async (dir) => {
    const path = join(dir, 'a-directory.sql');
    await mkdir(path);
    return path;
  }, /a-directory\.sql is not a regular file/],
];

const target = corpusTarget(
  'fe-corpus',
  `CREATE TABLE keep (id int PRIMARY KEY, v text);
   INSERT INTO keep VALUES (1, 'one'), (2, E'two\\ttabs');
   CREATE SEQUENCE keep_seq; SELECT setval('keep_seq', 42);
   CREATE FUNCTION keep_f() RETURNS int LANGUAGE sql AS 'SELECT 7';`,
);

describe('hostile and malformed inputs', () => {
  it('has a corpus of at least 30 inputs', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(30);
  });

  it.each(CASES)('%s', async (name, content, pattern) => {
    const file = typeof content === 'function' ? await content(target.dir) : join(target.dir, `${name.replace(/\W+/g, '_')}.sql`);
    if (typeof content !== 'function') await writeFile(file, content);
    const stderr = new PassThrough();
    let output = '';
    stderr.on('data', (d: Buffer) => (output += d.toString()));
    const code = await runCli(['node', 'fief-exporter', 'import', file, '--database-url', target.url], stderr);
    expect(code, output).toBe(1);
    const lines = output.split('\n').filter((l) => l !== '');
    expect(lines, output).toHaveLength(1);
    expect(lines[0]).toMatch(/^fief-exporter: /);
    expect(lines[0]).toMatch(pattern);
    expect(output).not.toContain(DUMP_KEY);
    expect(await captureDbState(target.url)).toEqual(target.before);
  });

  it('the state comparison does notice a change (so the checks above can fail)', async () => {
    const other = await useTestDatabase('fe_corpus_other');
    await query(other.url, `CREATE TABLE keep (id int PRIMARY KEY, v text); INSERT INTO keep VALUES (1, 'one'), (2, E'two\\ttabs');`);
    const state = await captureDbState(other.url);
    await query(other.url, `UPDATE keep SET v = 'ONE' WHERE id = 1`);
    expect(await captureDbState(other.url)).not.toEqual(state);
    await query(other.url, `UPDATE keep SET v = 'one' WHERE id = 1; COMMENT ON TABLE keep IS 'x'`);
    expect(await captureDbState(other.url)).not.toEqual(state);
  });
});
