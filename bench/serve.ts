/**
 * `npm run bench -- serve [--users N] [--duration S] [--connections N]`: the web exporter as a
 * separate process (`fief-exporter serve`) against a seeded legacy instance and the dev IdP.
 *   1. the workspaces page under N concurrent signed-in sessions (autocannon): latency, errors;
 *   2. time to first byte of an export (headers and first body byte);
 *   3. 8 concurrent exports by 8 people: all complete; the service's peak RSS (VmHWM).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { generateKey } from '../src/crypto/fernet.js';
import { seedLegacyInstance } from '../src/dev/seed/index.js';
import { startDevIdp } from '../src/dev/idp.js';
import { twoFreePorts } from '../test/web/helpers/stack.js';
import { cookieHeader, signInToApp } from '../test/web/helpers/oidc-flow.js';
import { admin, ADMIN_URL as ADMIN } from './bench-db.js';
import { arg, machineLine } from './measure.js';

const DB = 'fe_bench_serve';


function memoryMb(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

interface Download {
  status: number;
  headersMs: number;
  firstByteMs: number;
  totalMs: number;
  bytes: number;
  complete: boolean;
}

/** POSTs the export form; `abortAfterFirstByte` hangs up like a browser that gave up. */
function download(base: string, cookie: string, csrf: string, id: string, abortAfterFirstByte: boolean): Promise<Download> {
  return new Promise((resolve, reject) => {
    const body = `_csrf=${encodeURIComponent(csrf)}`;
    const t0 = performance.now();
    const req = http.request(`${base}/workspaces/${id}/export`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      const headersMs = performance.now() - t0;
      let firstByteMs = 0;
      let bytes = 0;
      let tail = '';
      res.on('data', (chunk: Buffer) => {
        if (bytes === 0) firstByteMs = performance.now() - t0;
        bytes += chunk.length;
        tail = (tail + chunk.toString('latin1')).slice(-200);
        if (abortAfterFirstByte) req.destroy();
      });
      const done = () => resolve({ status: res.statusCode ?? 0, headersMs, firstByteMs, totalMs: performance.now() - t0, bytes, complete: tail.includes('COMMIT;') });
      res.on('end', done);
      res.on('close', done);
    });
    req.end(body);
  });
}

const pct = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0;
const ms = (n: number) => `${n.toFixed(1)} ms`;

export async function main(args: string[]): Promise<void> {
  const users = Number(arg(args, '--users', '20000'));
  const duration = Number(arg(args, '--duration', '15'));
  const connections = Number(arg(args, '--connections', '50'));
  const out = join(process.cwd(), 'bench', 'out');
  mkdirSync(out, { recursive: true });

  await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await admin(`CREATE DATABASE ${DB}`);
  const url = new URL(ADMIN);
  url.pathname = `/${DB}`;
  const everyone = [0, 1, 2, 3, 4, 5, 6, 7];
  process.stderr.write(`seeding 8 accounts, a ${users}-user workspace and 5 small ones…\n`);
  const instance = await seedLegacyInstance({
    databaseUrl: url.toString(),
    encryptionKey: generateKey(),
    accounts: 8,
    workspaces: [
      { name: 'Big', users, members: everyone },
      ...['Anjou', 'Provence', 'Savoie', 'Alsace', 'Bourgogne'].map((name) => ({ name, users: 50, members: everyone })),
    ],
  });
  const big = instance.workspaces[0]!;

  const [port, idpPort] = await twoFreePorts();
  const base = `http://127.0.0.1:${port}`;
  const clientSecret = randomBytes(16).toString('hex');
  const idp = await startDevIdp({
    port: idpPort,
    accounts: instance.accounts,
    clients: [{ clientId: 'fief-exporter', clientSecret, redirectUris: [`${base}/auth/callback`] }],
  });
  const logFile = join(out, 'serve.log');
  const service: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve'], {
    env: {
      PATH: process.env.PATH ?? '',
      FIEF_BASE_URL: idp.issuer,
      FIEF_CLIENT_ID: 'fief-exporter',
      FIEF_CLIENT_SECRET: clientSecret,
      DATABASE_URL: url.toString(),
      ENCRYPTION_KEY: instance.encryptionKey,
      SECRET: randomBytes(32).toString('base64'),
      PUBLIC_URL: base,
      PORT: String(port),
      EXPORT_CONCURRENCY: '8',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    },
    stdio: ['ignore', openSync(logFile, 'w'), 'inherit'],
  });
  const pid = service.pid!;
  try {
    for (let i = 0; ; i++) {
      const ready = await fetch(`${base}/readyz`).then((r) => r.json() as Promise<{ signIn?: string }>, () => null);
      if (ready?.signIn === 'ready') break;
      if (i > 200) throw new Error(`the service did not become ready (see ${logFile})`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const baselineRss = memoryMb(pid, 'VmRSS');

    process.stderr.write(`signing in ${connections} sessions for 8 people…\n`);
    const sessions: { cookie: string; csrf: string }[] = [];
    for (let i = 0; i < connections; i++) {
      const browser = await signInToApp(base, instance.accounts[i % 8]!.email);
      const html = (await browser.get(`${base}/workspaces`)).text;
      sessions.push({ cookie: cookieHeader(browser, base), csrf: /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '' });
    }

    process.stderr.write(`1/3 autocannon: ${connections} sessions on /workspaces for ${duration} s (after a 3 s warm-up)…\n`);
    let next = 0;
    // Warm-up (JIT, pool connections, template cache): measured steady state, not the first second.
    await autocannon({ url: `${base}/workspaces`, connections, duration: 3, headers: { cookie: sessions[0]!.cookie } });
    const page = await autocannon({
      url: `${base}/workspaces`,
      connections,
      duration,
      setupClient: (client) => client.setHeaders({ cookie: sessions[next++ % sessions.length]!.cookie }),
    });
    const pageErrors = page.errors + page.timeouts + page.non2xx;

    process.stderr.write('2/3 time to first byte of an export (20 downloads each of a big and a small workspace)…\n');
    const firstBytes = async (id: string) => {
      const runs: Download[] = [];
      for (let i = 0; i < 20; i++) {
        const s = sessions[i % 8]!;
        runs.push(await download(base, s.cookie, s.csrf, id, true));
        await new Promise((r) => setTimeout(r, 50)); // let the aborted export release its slot
      }
      return runs;
    };
    const ttfb = await firstBytes(big.id);
    const small = instance.workspaces[1]!;
    const ttfbSmall = await firstBytes(small.id);

    process.stderr.write('3/3 8 concurrent exports of the big workspace…\n');
    const t0 = performance.now();
    const concurrent = await Promise.all(everyone.map((i) => download(base, sessions[i]!.cookie, sessions[i]!.csrf, big.id, false)));
    const wall = performance.now() - t0;
    const peakRss = memoryMb(pid, 'VmHWM');
    const allComplete = concurrent.every((d) => d.status === 200 && d.complete);
    const mb = concurrent[0]!.bytes / 2 ** 20;

    const rows = [
      ['Machine', machineLine()],
      [`Workspaces page, ${connections} sessions, ${duration} s`, `${page.requests.total} requests, ${page.requests.average.toFixed(0)} req/s`],
      ['— latency p50 / p90 / p99 / max', `${ms(page.latency.p50)} / ${ms(page.latency.p90)} / ${ms(page.latency.p99)} / ${ms(page.latency.max)} (target p99 ≤ 50 ms)`],
      ['— errors (errors + timeouts + non-2xx)', `${pageErrors} (target 0)`],
      [`Export of ${big.rowCounts.fief_users} users: first byte, median / p90 / max (20)`, `${ms(pct(ttfb.map((d) => d.firstByteMs), 50))} / ${ms(pct(ttfb.map((d) => d.firstByteMs), 90))} / ${ms(Math.max(...ttfb.map((d) => d.firstByteMs)))} (target ≤ 100 ms)`],
      [`Export of ${small.rowCounts.fief_users} users: first byte, median / p90 / max (20)`, `${ms(pct(ttfbSmall.map((d) => d.firstByteMs), 50))} / ${ms(pct(ttfbSmall.map((d) => d.firstByteMs), 90))} / ${ms(Math.max(...ttfbSmall.map((d) => d.firstByteMs)))}`],
      [`8 concurrent exports of ${big.rowCounts.fief_users} users (${mb.toFixed(1)} MiB each)`, `${allComplete ? 'all 8 complete' : 'NOT ALL COMPLETE'}, wall ${(wall / 1000).toFixed(2)} s, slowest ${(Math.max(...concurrent.map((d) => d.totalMs)) / 1000).toFixed(2)} s, ${((mb * 8) / (wall / 1000)).toFixed(1)} MiB/s total`],
      ['Service RSS: after boot / peak (VmHWM)', `${baselineRss.toFixed(0)} MiB / ${peakRss.toFixed(0)} MiB`],
    ];
    process.stdout.write(`\n| measure | result |\n| --- | --- |\n${rows.map(([k, v]) => `| ${k} | ${v} |`).join('\n')}\n`);
    if (!allComplete) process.exitCode = 1;
  } finally {
    service.kill('SIGTERM');
    await new Promise((r) => service.once('exit', r));
    await idp.close();
    if (!args.includes('--keep')) await admin(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  }
}
