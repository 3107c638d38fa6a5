/**
 * views/ and public/ sit at the package root, next to package.json. The code runs from src
 * (tsx, tests) and from dist/src (the published build), so walk up instead of hard-coding
 * a depth.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'views'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('fief-exporter: cannot find the package root (views/ next to package.json)');
    dir = parent;
  }
}

export const packageRoot = findPackageRoot(dirname(fileURLToPath(import.meta.url)));
export const viewsDir = join(packageRoot, 'views');
export const publicDir = join(packageRoot, 'public');
