/**
 * What an export loads before its first byte. pg probes for Cloudflare Workers when it loads;
 * on Node 20 (no `navigator`) that probe constructs a Response and so loads Node's bundled
 * undici, ~25 ms of every CLI run. src/db/pg.ts prevents it; this guards every path to pg
 * that an export takes.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

function loadedAfterImporting(module: string): string[] {
  const script = `await import(${JSON.stringify(module)}); console.log(JSON.stringify(process.moduleLoadList));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
}

/** Source files and packages loaded by importing `modules`, as seen by a module-loading hook. */
function sourcesAfterImporting(modules: string[]): string[] {
  const hook = `export async function load(url, context, next) { process.stderr.write('LOADED ' + url + '\\n'); return next(url, context); }`;
  const script = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});
    for (const m of ${JSON.stringify(modules)}) await import(m);`;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  const root = pathToFileURL(process.cwd()).href + '/';
  return [...run.stderr.matchAll(/^LOADED (\S+)$/gm)].map((m) => (m[1] ?? '').replace(root, '').replace(/^node_modules\/([^/]+)\/.*/, '$1'));
}

describe('start-up', () => {
  it.each(['./src/cli/commands/export.ts', './src/cli/commands/workspaces.ts', './src/dump/index.ts'])(
    '%s loads pg without undici',
    (module) => {
      const loaded = loadedAfterImporting(module);
      expect(loaded.length).toBeGreaterThan(10);
      expect(loaded.filter((m) => m.includes('undici'))).toEqual([]);
    },
  );

  it('a plain file\'s import loads neither the parallel load, the zip reader, the gzip pacer nor the progress view', () => {
    // What `import FILE` loads before it reads a pg_dump file: the other paths load theirs on demand.
    const ours = sourcesAfterImporting(['./src/cli/commands/import.ts', './src/restore/import-dump.ts']);
    expect(ours).toContain('src/restore/replay.ts');
    expect(ours.filter((f) => /parallel-load|post-data|zip-input|yauzl|gc-pacer|progress-view/.test(f))).toEqual([]);
  });

  it('the check can fail: importing pg directly loads undici where navigator is missing', () => {
    const loaded = loadedAfterImporting('pg');
    const hasNavigator = Number(process.versions.node.split('.')[0]) >= 21;
    expect(loaded.some((m) => m.includes('undici'))).toBe(!hasNavigator);
  });
});
