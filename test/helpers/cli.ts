/** Runs `fief-exporter <args>` in-process, capturing both streams; `env` is set for the call only. */
import { PassThrough } from 'node:stream';
import { runCli } from '../../src/cli/program.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  const err = new PassThrough();
  let stderr = '';
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const out: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => (out.push(chunk.toString()), true));
  try {
    const code = await runCli(['node', 'fief-exporter', ...args], err);
    return { code, stderr, stdout: out.join('') };
  } finally {
    process.stdout.write = write;
    process.env = saved;
  }
}

/** A failure is one `fief-exporter: ...` sentence: no stack trace, no driver dump. */
export function expectOneLineError(r: CliResult): string {
  const lines = r.stderr.trim().split('\n').filter((l) => l !== '' && !l.startsWith('(run with'));
  if (lines.length !== 1 || !lines[0]?.startsWith('fief-exporter: ')) throw new Error(`expected one error line, got:\n${r.stderr}`);
  return lines[0];
}
