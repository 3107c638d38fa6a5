import { describe, expect, it } from 'vitest';
import { scriptEvents, scriptEventsAnyChunking as events, type Seen } from './helpers/script-events.js';

/** Every chunking must fail the same way. */
async function failure(script: string | Buffer): Promise<string> {
  const messages = new Set<string>();
  for (const size of [1, 3, 1 << 20]) {
    try {
      await scriptEvents(script, size);
      messages.add('(no error)');
    } catch (err) {
      messages.add(err instanceof Error ? err.message : String(err));
    }
  }
  expect(messages.size).toBe(1);
  return [...messages][0] ?? '';
}

const stmts = (seen: Awaited<ReturnType<typeof events>>): string[] =>
  seen.flatMap((e) => ('stmt' in e ? [e.stmt] : []));

/** Scripts of one statement a line, each with a semicolon that must not end it. */
const ONE_PER_LINE: [title: string, lines: string[]][] = [
  ['handles dollar quotes with and without tags, and $ inside identifiers and parameters', [
    'CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;',
    'CREATE FUNCTION g() RETURNS text AS $body$ SELECT $$;$$; $b$ ; $body$ LANGUAGE sql;',
    'SELECT a$b$c FROM t$1;',
    'PREPARE p AS SELECT $1;',
    'SELECT $a$x$ab$;$a$;',
  ]],
  ['keeps semicolons inside quoted identifiers, U& literals, bit strings and nested comments', [
    'SELECT 1 AS "a;""b";',
    "SELECT U&'d;\\0061t' , U&\"x;y\";",
    "SELECT B'01', X'1F';",
    'SELECT /* a /* nested; */ still; */ 1;',
    'SELECT 1 /*/ not closed by /* */ still */;',
  ]],
];

/** Scripts, and every event the reader reports for them (statements, meta-commands, comments). */
const EVENTS: [title: string, script: string | Buffer, seen: Seen[]][] = [
  ['turns \\; into a semicolon that does not end the statement, and \\: into a colon', 'SELECT 1\\; SELECT 2;\nSELECT 3\\:\\:int;', [
    { stmt: 'SELECT 1; SELECT 2;', line: 1, parts: 2 },
    { stmt: 'SELECT 3::int;', line: 2 },
  ]],
  ['reports meta-commands with their line, also in the middle of a statement', '\\restrict k1\nSELECT\n\\unrestrict k1\n1;\n', [
    { meta: 'restrict k1', line: 1 },
    { meta: 'unrestrict k1', line: 3 },
    { stmt: 'SELECT\n1;', line: 2 },
  ]],
  ['reports line-start comments between statements (the dump footer), not comments inside statements', '-- one\nSELECT 1 -- two\n;\n  -- three\n-- four\r\n', [
    { comment: '-- one', line: 1 },
    { stmt: 'SELECT 1 -- two\n;', line: 2 },
    { comment: '-- four', line: 5 },
  ]],
  ['sends the text left at end of input without a semicolon, as psql does', 'SELECT 1;\nSELECT 2', [
    { stmt: 'SELECT 1;', line: 1 },
    { stmt: 'SELECT 2', line: 2, complete: false },
  ]],
  ['skips a UTF-8 byte-order mark and copes with CRLF line ends', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('-- c\r\nSELECT 1;\r\nSELECT\r\n2;\r\n')]), [
    { comment: '-- c', line: 1 },
    { stmt: 'SELECT 1;', line: 2 },
    { stmt: 'SELECT\r\n2;', line: 3 },
  ]],
];

const COPY_EVENTS: typeof EVENTS = [
  ['reads data up to a line that is exactly \\. and goes on after it', 'COPY t (a, b) FROM stdin;\n1\tx\\ty\n2\t\\\\.\n3\t\\.x\n\\.\nSELECT 1;\n', [
    { stmt: 'COPY t (a, b) FROM stdin;', line: 1 },
    { copyData: '1\tx\\ty\n2\t\\\\.\n3\t\\.x\n' },
    { stmt: 'SELECT 1;', line: 6 },
  ]],
  ['accepts \\.\\r\\n', 'COPY t FROM STDIN;\r\n1\r\n\\.\r\nSELECT 1;', [
    { stmt: 'COPY t FROM STDIN;', line: 1 },
    { copyData: '1\r\n' },
    { stmt: 'SELECT 1;', line: 4 },
  ]],
  ['accepts a final \\. without newline', 'COPY t FROM stdin;\n1\n\\.', [{ stmt: 'COPY t FROM stdin;', line: 1 }, { copyData: '1\n' }]],
  ['scans text after the COPY statement on its line once the data is read, as psql does', 'COPY t FROM stdin; SELECT 1;\n1\n\\.\nSELECT 2;\n', [
    { stmt: 'COPY t FROM stdin;', line: 1 },
    { copyData: '1\n' },
    { stmt: 'SELECT 1;', line: 1 },
    { stmt: 'SELECT 2;', line: 4 },
  ]],
  ['does not take COPY ... FROM a file, or COPY ... TO STDOUT, for inline data', "COPY t FROM '/tmp/x';\nCOPY (SELECT 1 FROM stdin) TO STDOUT;\n", [
    { stmt: "COPY t FROM '/tmp/x';", line: 1 },
    { stmt: 'COPY (SELECT 1 FROM stdin) TO STDOUT;', line: 2 },
  ]],
];

describe('statement splitting as psql does it', () => {
  it('splits on top-level semicolons, skips leading whitespace and comments, tracks lines', async () => {
    expect((await events('  SELECT 1;\n\n-- note; not a statement\nSELECT\n 2 ; SELECT 3;')).filter((e) => 'stmt' in e)).toEqual([
      { stmt: 'SELECT 1;', line: 1 },
      { stmt: 'SELECT\n 2 ;', line: 4 },
      { stmt: 'SELECT 3;', line: 5 },
    ]);
  });

  it('keeps semicolons inside single quotes, doubled quotes and E strings', async () => {
    const script = "SELECT 'a;b', 'it''s;', E'x\\';y', e'\\\\';\nSELECT 2;";
    expect(stmts(await events(script))).toEqual(["SELECT 'a;b', 'it''s;', E'x\\';y', e'\\\\';", 'SELECT 2;']);
  });

  it('follows standard_conforming_strings: off makes backslash escape in plain quotes', async () => {
    const script = "SELECT 'a\\';b';\nSELECT 2;";
    expect(stmts(await events(script, false))).toEqual(["SELECT 'a\\';b';", 'SELECT 2;']);
    // With it on, the backslash is literal: the string ends at \' and the statement at the next ;
    expect(stmts(await events("SELECT 'a\\';\nSELECT 2;", true))).toEqual(["SELECT 'a\\';", 'SELECT 2;']);
  });

  it('continues a literal across whitespace with a newline (and comments), with its own escaping rules', async () => {
    // The second piece continues the E string, so \' is an escaped quote, not the end.
    expect(stmts(await events("SELECT E'x' -- c\n  'y\\';z';\nSELECT 2;"))).toEqual(["SELECT E'x' -- c\n  'y\\';z';", 'SELECT 2;']);
    // Without a newline there is no continuation: a new standard literal starts.
    expect(stmts(await events("SELECT E'x' 'y\\';\nSELECT 2;"))).toEqual(["SELECT E'x' 'y\\';", 'SELECT 2;']);
  });

  it.each(ONE_PER_LINE)('%s', async (_title, lines) => {
    const script = lines.join('\n');
    expect(stmts(await events(script))).toEqual(lines);
  });

  it('treats -- and /* inside operators as comment starts', async () => {
    expect(stmts(await events('SELECT 1 --; x\n+2;\nSELECT 3+/*;*/4;'))).toEqual(['SELECT 1 --; x\n+2;', 'SELECT 3+/*;*/4;']);
  });

  it('does not end a statement inside parentheses', async () => {
    expect(stmts(await events('SELECT (1;\n2);\nSELECT 3;'))).toEqual(['SELECT (1;\n2);', 'SELECT 3;']);
  });

  it('keeps BEGIN ATOMIC ... END bodies (with CASE ... END) in one statement', async () => {
    const fn = [
      'CREATE OR REPLACE FUNCTION f(x int) RETURNS int LANGUAGE sql',
      'BEGIN ATOMIC',
      '  SELECT CASE WHEN x > 0 THEN 1 ELSE 2 END;',
      '  SELECT x;',
      'END;',
    ].join('\n');
    const proc = 'CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;';
    expect(stmts(await events(`${fn}\n${proc}\nBEGIN;\nSELECT 1;\nEND;`))).toEqual([fn, proc, 'BEGIN;', 'SELECT 1;', 'END;']);
  });

  it.each(EVENTS)('%s', async (_title, script, seen) => {
    expect(await events(script)).toEqual(seen);
  });
});

describe('COPY FROM stdin blocks', () => {
  it.each(COPY_EVENTS)('%s', async (_title, script, seen) => {
    expect(await events(script)).toEqual(seen);
  });

  it('rejects a COPY block that the input ends inside', async () => {
    expect(await failure('COPY t FROM stdin;\n1\n2\n')).toMatch(/line 1: the COPY data starting at line 2 has no terminating \\\. line/);
  });
});

describe('malformed input', () => {
  it.each([
    ["SELECT 1;\nSELECT 'abc;\n", /line 2: unterminated quoted string/],
    ['SELECT $x$ abc $y$;\n', /line 1: unterminated dollar-quoted string \$x\$/],
    ['SELECT 1;\n/* a /* b */ c;\n', /line 2: unterminated \/\* comment/],
    ['SELECT "abc;\n', /line 1: unterminated quoted identifier/],
    ["SELECT E'abc\\';\n", /line 1: unterminated quoted string/],
    [Buffer.from('SELECT 1;\nSEL\0ECT 2;'), /line 2: NUL byte/],
  ])('%j', async (script, pattern) => {
    expect(await failure(script)).toMatch(pattern);
  });
});
