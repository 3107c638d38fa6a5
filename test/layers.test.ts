/**
 * The source tree's shape: no import cycle between files (src/, routes/, bench/, test/), nor
 * between folders (routes/ and each src/<folder>), nor between routes/ and src/ as wholes (src/
 * names no route: @fastify/autoload loads them), so every layer can be read and changed without
 * the ones above it; and no source file over 250 lines. Reads the files as text: no build, no
 * database.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const SOURCE_DIRS = ['src', 'routes', 'bench', 'test'];
const MAX_LINES = 250;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const files = SOURCE_DIRS.flatMap(sourceFiles);
const known = new Set(files);

/** Relative import specifiers (static, side-effect, re-export and dynamic), either quote. */
function specifiersOf(file: string): string[] {
  const text = readFileSync(join(root, file), 'utf8');
  return [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)(['"])(\.{1,2}\/[^'"]+)\1/g)].map((m) => m[2]!);
}

/** `spec` as a source path (`./x.js` is `x.ts`). */
function resolved(file: string, spec: string): string {
  return relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '.ts');
}

/**
 * Strongly connected components of more than one node, and nodes that import themselves
 * (Tarjan): each one is a cycle.
 */
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
    if (component.length > 1 || graph.get(v)?.has(v)) found.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return found;
}

/** routes, src (its top-level files) or src/<folder>; bench and test as wholes. */
function folderOf(file: string): string {
  const parts = file.split('/');
  return parts[0] === 'src' && parts.length > 2 ? `src/${parts[1]}` : parts[0]!;
}

/** The graph of `group(file)` for every file, without edges inside a group. */
function groupGraph(fileGraph: Map<string, Set<string>>, group: (file: string) => string): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const [file, imports] of fileGraph) {
    const from = group(file);
    const edges = graph.get(from) ?? new Set<string>();
    for (const target of imports) if (group(target) !== from) edges.add(group(target));
    graph.set(from, edges);
  }
  return graph;
}

describe('source layout', () => {
  const fileGraph = new Map(files.map((f) => [f, new Set(specifiersOf(f).map((spec) => resolved(f, spec)))]));

  it('reads the import graph (the checks below would pass vacuously otherwise)', () => {
    expect(files.length).toBeGreaterThan(200);
    expect(fileGraph.get('src/dump/index.ts')).toContain('src/dump/writer.ts');
    // A dynamic import counts: the CLI loads its commands on demand.
    expect(fileGraph.get('src/cli/commands/index.ts')).toContain('src/cli/commands/export.ts');
    expect(fileGraph.get('test/layers.test.ts')).toEqual(new Set());
  });

  it('resolves every relative import to a source file (an unresolved one would drop out of the graph)', () => {
    const unresolved = files.flatMap((f) => specifiersOf(f).filter((spec) => !known.has(resolved(f, spec))).map((spec) => `${f}: ${spec}`));
    expect(unresolved).toEqual([]);
  });

  it('finds a cycle where there is one', () => {
    const graph = (edges: string): Map<string, Set<string>> => {
      const g = new Map<string, Set<string>>();
      for (const [a, b] of edges.split(' ').map((e) => e.split('>') as [string, string])) {
        g.set(a, (g.get(a) ?? new Set()).add(b));
        if (!g.has(b)) g.set(b, new Set());
      }
      return g;
    };
    expect(cycles(graph('a>b b>c c>a c>d'))).toEqual([['a', 'b', 'c']]);
    expect(cycles(graph('a>a a>b'))).toEqual([['a']]);
    expect(cycles(graph('a>b b>c a>c'))).toEqual([]);
  });

  it('has no import cycle between files', () => {
    expect(cycles(fileGraph)).toEqual([]);
  });

  it('has no import cycle between folders (routes/, src/<folder>, bench/, test/)', () => {
    expect(cycles(groupGraph(fileGraph, folderOf))).toEqual([]);
  });

  it('points the top-level folders one way: src/ imports nothing of routes/, bench/ or test/; routes/ only src/', () => {
    const top = groupGraph(fileGraph, (f) => f.split('/')[0]!);
    expect(cycles(top)).toEqual([]);
    expect(top.get('src')).toEqual(new Set());
    expect(top.get('routes')).toEqual(new Set(['src']));
  });

  it(`has no source file (${SOURCE_DIRS.join('/, ')}/) over ${MAX_LINES} lines`, () => {
    const long = files.filter((f) => readFileSync(join(root, f), 'utf8').split('\n').length - 1 > MAX_LINES);
    expect(long).toEqual([]);
  });
});
