/** Names inside the all-workspaces archive: unique even where sanitising or case folding makes two equal. */
import { describe, expect, it } from 'vitest';
import { suggestedDatabase, uniqueEntryNames } from '../src/archive/entry-names.js';
import { shellQuote } from '../src/import-recipe.js';

const ws = (id: string, name: string) => ({ id, name });

describe('uniqueEntryNames', () => {
  it('keeps plain names, and suffixes every member of a colliding group with its id', () => {
    const names = uniqueEntryNames([
      ws('11111111-aaaa-4aaa-8aaa-000000000001', 'Café'),
      ws('22222222-bbbb-4bbb-8bbb-000000000002', 'Cafe'),
      ws('33333333-cccc-4ccc-8ccc-000000000003', 'CAFE'),
      ws('44444444-dddd-4ddd-8ddd-000000000004', 'Acme'),
      ws('55555555-eeee-4eee-8eee-000000000005', '../../etc/passwd'),
    ]);
    expect([...names.values()]).toEqual([
      'fief_dump_Cafe_11111111.sql',
      'fief_dump_Cafe_22222222.sql',
      'fief_dump_CAFE_33333333.sql',
      'fief_dump_Acme.sql',
      'fief_dump_etc_passwd.sql',
    ]);
    expect(new Set([...names.values()].map((n) => n.toLowerCase())).size).toBe(5);
  });

  it('lengthens the suffix when even the first 8 characters of the ids are alike', () => {
    const names = uniqueEntryNames([ws('abcdef01-0000-4000-8000-000000000001', 'X'), ws('abcdef01-0000-4000-8000-000000000002', 'x')]);
    expect(new Set([...names.values()].map((n) => n.toLowerCase())).size).toBe(2);
  });

  it('never takes the names of README.txt or manifest.json, and suggests valid database names', () => {
    expect([...uniqueEntryNames([ws('abcdef01-0000-4000-8000-000000000001', 'README')]).values()]).toEqual(['fief_dump_README.sql']);
    expect(suggestedDatabase('fief_dump_Acme-Corp.sql')).toBe('fief_acme_corp');
    expect(suggestedDatabase(`fief_dump_${'a'.repeat(100)}.sql`)).toHaveLength(63);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
  });
});
