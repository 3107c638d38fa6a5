/** Wall time and peak RSS of a child process, measured by GNU time in the same way for every tool. */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { generateKey } from '../src/crypto/fernet.js';
import { cpus, totalmem } from 'node:os';
import { execFileSync } from 'node:child_process';

export interface Measurement {
  seconds: number;
  peakRssMb: number;
  /** CPU time of the process, user + system (every thread: zlib's threadpool included). */
  cpuSeconds: number;
}

export async function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'BENCH %e %M %U %S', cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const m = /BENCH ([\d.]+) (\d+) ([\d.]+) ([\d.]+)/.exec(stderr);
      if (code !== 0 || !m) return reject(new Error(`${cmd} failed (${code}): ${stderr.slice(-2000)}`));
      resolve({ seconds: Number(m[1]), peakRssMb: Number(m[2]) / 1024, cpuSeconds: Number(m[3]) + Number(m[4]) });
    });
  });
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

export function machineLine(): string {
  const pg = (() => {
    try {
      return execFileSync('psql', ['--version'], { encoding: 'utf8' }).trim();
    } catch {
      return 'psql not found';
    }
  })();
  return `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Node ${process.version}, ${pg}`;
}

export function arg(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1]! : fallback;
}

/** What the export benchmarks share: their size options, the output folder, the key, the built CLI. */
export function exportBenchSetup(args: string[], cli: string): { users: number; auditLogs: number; runs: number; out: string; key: string } {
  const out = join(process.cwd(), 'bench', 'out');
  mkdirSync(out, { recursive: true });
  if (!existsSync(cli)) throw new Error('run `npm run build` first: the benchmark measures the built CLI');
  return {
    users: Number(arg(args, '--users', '200000')),
    auditLogs: Number(arg(args, '--audit-logs', '2000000')),
    runs: Math.max(1, Number(arg(args, '--runs', '5'))),
    out,
    key: process.env.BENCH_ENCRYPTION_KEY ?? generateKey(),
  };
}
