/** The Dockerfile read as its instructions, for tests that check or perform its steps. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../../src/paths.js';

const dockerfile = readFileSync(join(packageRoot, 'Dockerfile'), 'utf8');
/** Instructions with their line continuations joined, comments dropped. */
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line !== '' && !line.startsWith('#'));
export const runtimeStart = instructions.findIndex((line) => /^FROM node:24-slim AS runtime$/i.test(line));
export const runtime = instructions.slice(runtimeStart);
export const build = instructions.slice(0, runtimeStart);

/** The arguments of every `keyword` instruction of the runtime stage. */
export function runtimeArgs(keyword: string): string[] {
  return runtime.filter((line) => line.toUpperCase().startsWith(`${keyword} `)).map((line) => line.slice(keyword.length + 1).trim());
}

/** The runtime stage's ENV settings. */
export function imageEnv(): Record<string, string> {
  return Object.fromEntries(
    runtimeArgs('ENV')
      .join(' ')
      .split(/\s+/)
      .map((pair) => pair.split('=') as [string, string]),
  );
}

/** The image's command (its exec-form CMD). */
export function imageCommand(): string[] {
  return JSON.parse(runtimeArgs('CMD')[0] ?? 'null') as string[];
}
