/**
 * The import recipe printed everywhere (README, pages, CLI, demo, zip README.txt): pasted into
 * a real POSIX shell, it must hand psql the file name exactly, whatever the name holds.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { importRecipe, shellQuote } from '../src/import-recipe.js';

/** The words sh makes of `line`, by running it with a stand-in command that prints them. */
function wordsOf(line: string): string[] {
  const out = execFileSync('sh', ['-c', `words() { for w in "$@"; do printf '%s\\0' "$w"; done; }; ${line.replace(/^(\S+)/, 'words $1')}`], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH, HOME: '/nonexistent' },
  });
  return out.split('\0').slice(0, -1);
}

const HOSTILE = [
  'fief_dump_Acme Production.sql',
  "fief_dump_O'Brien's.sql",
  'fief_dump_$(touch pwned) `id` $HOME ~ *.sql',
  'fief_dump_tab\there "quoted" \\back.sql',
  '-rf.sql',
  'fief_dump_Café ünïcødé.sql',
];

describe('importRecipe', () => {
  it('is createdb then psql -X -v ON_ERROR_STOP=1 -d fief_new -f <quoted file>', () => {
    expect(importRecipe('fief_dump_Acme Production.sql')).toEqual([
      'createdb fief_new',
      "psql -X -v ON_ERROR_STOP=1 -d fief_new -f 'fief_dump_Acme Production.sql'",
    ]);
  });

  it.each(HOSTILE)('gives psql exactly the file %j when pasted into sh', (name) => {
    const [createdb, psql] = importRecipe(name);
    expect(wordsOf(createdb!)).toEqual(['createdb', 'fief_new']);
    const file = name.startsWith('-') ? `./${name}` : name;
    expect(wordsOf(psql!)).toEqual(['psql', '-X', '-v', 'ON_ERROR_STOP=1', '-d', 'fief_new', '-f', file]);
  });

  it('quotes any text as one literal shell word', () => {
    for (const text of [...HOSTILE, '', "'", "''", 'a\nb']) expect(wordsOf(`x ${shellQuote(text)}`)).toEqual(['x', text]);
  });
});
