/**
 * The CLI built the way it ships (one ESM program run by plain node with the flags of its
 * shebang), for measurements tsx would distort: tsx compiles in-process and adds tens of MB.
 * esbuild bundles src/cli/main.ts in about a second; the output sits under dist/, so the CLI
 * finds package.json where the real build does.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

export async function buildCli(): Promise<{ main: string; dispose: () => Promise<void> }> {
  const outdir = join(process.cwd(), 'dist', `test-cli-${process.pid}`);
  await build({
    entryPoints: ['src/cli/main.ts'],
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outdir,
    logLevel: 'warning',
  });
  return { main: join(outdir, 'main.js'), dispose: () => rm(outdir, { recursive: true, force: true }) };
}

/** Node flags of the CLI's shebang line (src/cli/main.ts). */
export const CLI_NODE_FLAGS = ['--max-semi-space-size=1'];
