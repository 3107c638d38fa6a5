/**
 * README's reference sections name every option the CLI accepts: an option missing there is
 * one nobody finds (`--help` is where it was added, README is where people read).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildProgram } from '../src/cli/program.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

function section(command: string): string {
  const start = readme.indexOf(`### \`fief-exporter ${command}\``);
  expect(start, `README has a section for ${command}`).toBeGreaterThanOrEqual(0);
  const end = readme.indexOf('\n### ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

describe('README', () => {
  it.each(['workspaces', 'export', 'import'])('names every option of %s', async (command) => {
    const program = await buildProgram(['node', 'fief-exporter', command]);
    const sub = program.commands.find((c) => c.name() === command);
    expect(sub).toBeDefined();
    const longs = (sub?.options ?? []).map((o) => o.long).filter((l): l is string => typeof l === 'string');
    expect(longs.length).toBeGreaterThan(0);
    const text = section(command);
    const named = (flag: string): boolean => new RegExp(`(^|[^\\w-])${flag}(?![\\w-])`).test(text);
    expect(longs.filter((flag) => !named(flag))).toEqual([]);
  });
});
