/**
 * The source tree's shape: no import cycle between files, nor between folders (routes/ and each
 * src/<folder>), so every layer can be read and changed without the ones above it; and no
 * source file over 250 lines. Reads the files as text: no build, no database.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const SOURCE_DIRS = ['src', 'routes'];
const MAX_LINES = 250;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const files = SOURCE_DIRS.flatMap(sourceFiles);

/** Relative imports (static, side-effect, re-export and dynamic), resolved to source paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(?\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((spec) => relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '.ts'));
}

/** Strongly connected components of more than one node (Tarjan): each one is a cycle. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    for (const w of graph.get(v) ?? []) {
      if (!graph.has(w)) continue;
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (stack.includes(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    for (let w = stack.pop(); w !== undefined; w = w === v ? undefined : stack.pop()) component.push(w);
    if (component.length > 1) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** routes, src (its top-level files) or src/<folder>. */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'src' && parts.length > 2 ? `src/${parts[1]}` : parts[0]!;
}

describe('source layout', () => {
  const fileGraph = new Map(files.map((f) => [f, new Set(importsOf(f))]));

  it('reads the import graph (the check below would pass vacuously otherwise)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(fileGraph.get('src/dump/index.ts')).toContain('src/dump/writer.ts');
  });

  it('has no import cycle between files', () => {
    expect(cycles(fileGraph)).toEqual([]);
  });

  it('has no import cycle between folders (routes/, src/<folder>)', () => {
    const folderGraph = new Map<string, Set<string>>();
    for (const [file, imports] of fileGraph) {
      const from = folderOf(file);
      const edges = folderGraph.get(from) ?? new Set<string>();
      for (const target of imports) if (folderOf(target) !== from) edges.add(folderOf(target));
      folderGraph.set(from, edges);
    }
    expect(cycles(folderGraph)).toEqual([]);
  });

  it(`has no source file over ${MAX_LINES} lines`, () => {
    const long = files.filter((f) => readFileSync(join(root, f), 'utf8').split('\n').length - 1 > MAX_LINES);
    expect(long).toEqual([]);
  });
});
