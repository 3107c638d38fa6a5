/** Helpers for tests that export a workspace and replay it with the real psql. */
import { spawn } from 'node:child_process';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { openWorkspaceDump, type ExportOptions, type DumpSummary } from '../../src/dump/index.js';

export function tempDir(prefix = 'fief-exporter-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function exportToFile(opts: ExportOptions, path: string): Promise<{ summary: DumpSummary; warnings: string[] }> {
  const dump = await openWorkspaceDump(opts);
  await pipeline(dump.stream, createWriteStream(path));
  return { summary: await dump.result, warnings: dump.warnings };
}

export function keyLine(path: string): string {
  const first = readFileSync(path, 'utf8').split('\n', 1)[0] ?? '';
  const m = /^-- ENCRYPTION_KEY=(\S+)$/.exec(first);
  if (!m?.[1]) throw new Error(`line 1 of ${path} is not an ENCRYPTION_KEY line`);
  return m[1];
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a process to completion, feeding `input` on stdin, and collects its output. */
export function run(cmd: string, args: string[], input?: Buffer | string | null, options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], ...options });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.on('error', () => undefined);
    child.stdin.end(input ?? undefined);
  });
}

/** The real psql, as a person would run it: `psql -X -v ON_ERROR_STOP=1 -d URL -f FILE`. */
export function psqlFile(url: string, file: string, extra: string[] = ['-v', 'ON_ERROR_STOP=1']): Promise<ProcessResult> {
  return run('psql', ['-X', '-q', ...extra, '-d', url, '-f', file]);
}

export function psqlStdin(url: string, input: Buffer, extra: string[] = []): Promise<ProcessResult> {
  return run('psql', ['-X', '-q', ...extra, '-d', url], input);
}
