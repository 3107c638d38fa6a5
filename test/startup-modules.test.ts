/**
 * What an export loads before its first byte. pg probes for Cloudflare Workers when it loads;
 * on Node 20 (no `navigator`) that probe constructs a Response and so loads Node's bundled
 * undici, ~25 ms of every CLI run. src/db/pg.ts prevents it; this guards every path to pg
 * that an export takes.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

function loadedAfterImporting(module: string): string[] {
  const script = `await import(${JSON.stringify(module)}); console.log(JSON.stringify(process.moduleLoadList));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(out) as string[];
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

  it('the check can fail: importing pg directly loads undici where navigator is missing', () => {
    const loaded = loadedAfterImporting('pg');
    const hasNavigator = Number(process.versions.node.split('.')[0]) >= 21;
    expect(loaded.some((m) => m.includes('undici'))).toBe(!hasNavigator);
  });
});
