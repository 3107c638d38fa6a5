/**
 * `npm start` / `fief-exporter demo`, as built (dist/), as a person would use it: start it with
 * no configuration but a free PORT and a temporary data directory, read the console, sign in
 * with the printed account in headless Chromium, export, import the download with psql into an
 * empty database, then Ctrl-C (SIGINT) and check nothing of it is left running. Also: a restart
 * reuses the data, a taken port is one sentence and exit 1, and FIEF_BASE_URL turns the demo
 * into the real service, whose missing settings are all listed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageRoot } from '../../src/paths.js';
import { createDatabase, query } from '../helpers/db.js';
import { freePort } from '../helpers/pg-server.js';
import { buildOnce } from './helpers/build.js';
import { cleanEnv, processesMentioning, spawnCaptured, stop, waitForOutput, waitForStatus, type Spawned } from './helpers/processes.js';

const MAIN = join(packageRoot, 'dist/src/cli/main.js');
const READY_LINE = 'Press Ctrl-C to stop.';

/** `detached`: the demo gets its own process group, like a command started in a terminal. */
function startDemo(dataDir: string, port: number): Spawned {
  return spawnCaptured(process.execPath, [MAIN, 'demo'], {
    cwd: packageRoot,
    env: cleanEnv({ PORT: String(port), FIEF_DEMO_DATA_DIR: dataDir }),
    detached: true,
  });
}

/** Stops a demo left running by a failed test, and any PostgreSQL server of its data dir. */
async function cleanUp(demo: Spawned | undefined, dataDir: string): Promise<void> {
  if (demo && demo.child.exitCode === null && demo.child.signalCode === null) {
    await stop(demo, 'SIGINT', 30_000).catch(() => stop(demo, 'SIGKILL', 5000));
  }
  for (const line of processesMentioning(dataDir)) {
    const pid = Number(line.trim().split(/\s+/, 1)[0]);
    if (pid > 0) process.kill(pid, 'SIGKILL');
  }
  rmSync(dataDir, { recursive: true, force: true });
}

// The test runs what `npm start` runs: the build. Make sure it is the current one.
beforeAll(buildOnce, 180_000);

describe('the demo, end to end in a browser', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'fief-exporter-demo-')), 'data');
  let demo: Spawned | undefined;
  let browser: Browser | undefined;
  let importDb: Awaited<ReturnType<typeof createDatabase>> | undefined;

  afterAll(async () => {
    await browser?.close();
    await cleanUp(demo, dataDir);
    await importDb?.drop();
  });

  it('signs in with the printed account, exports, and the download replays with psql', { timeout: 300_000 }, async () => {
    const port = await freePort();
    demo = startDemo(dataDir, port);
    const console = await waitForOutput(demo, (out) => out.includes(READY_LINE), 180_000);
    const url = /^\s*Open\s+(http:\/\/\S+)$/m.exec(console)?.[1];
    const email = /^\s*Sign in as\s+(\S+@\S+)$/m.exec(console)?.[1];
    const password = /^\s*Password\s+(\S+)$/m.exec(console)?.[1];
    expect(password).toBeDefined();
    expect(url).toBe(`http://localhost:${port}`);
    expect(email).toBeDefined();
    const printedFile = /psql -X -v ON_ERROR_STOP=1 -d \S+ -f '(.+\.sql)'$/m.exec(console)?.[1];
    expect(printedFile).toBeDefined();
    expect(console).toMatch(/fief-exporter import /);
    // The demo's keys are kept for the next start, readable by nobody else.
    expect(statSync(join(dataDir, 'demo.json')).mode & 0o777).toBe(0o600);

    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
    const page = await browser.newPage({ acceptDownloads: true });
    await page.goto(url!);
    await expect.poll(() => page.locator('header').innerText()).toMatch(/demo/i);
    expect(await page.title()).toMatch(/demo/i);

    await page.getByRole('link', { name: 'Sign in with Fief' }).click();
    // The stand-in's page looks like the exporter (its stylesheet) and names the demo account.
    await expect.poll(() => page.getByRole('note').filter({ hasText: 'Demo account' }).innerText()).toContain(email!);
    expect(await page.getByRole('note').filter({ hasText: 'Demo account' }).innerText()).toContain(password!);
    const buttonColour: unknown = await page.evaluate('getComputedStyle(document.querySelector("button[type=submit]")).backgroundColor');
    expect(buttonColour).toBe('rgb(67, 56, 202)'); // --accent in public/style.css
    await page.getByLabel('Email address').fill(email!);
    // The stand-in checks the printed password: a wrong one is refused.
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toMatch(/Wrong email address or password/);
    await page.getByLabel('Email address').fill(email!);
    await page.getByLabel('Password').fill(password!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${url}/workspaces`);
    const exportButtons = page.getByRole('button', { name: /^Export data of / });
    expect(await exportButtons.count()).toBeGreaterThan(1);

    const [download] = await Promise.all([page.waitForEvent('download'), exportButtons.first().click()]);
    const file = join(dataDir, '..', download.suggestedFilename());
    // The console's psql command names the file the browser saves (first workspace).
    expect(download.suggestedFilename()).toBe(printedFile);
    await download.saveAs(file);
    expect(readFileSync(file, 'utf8').split('\n', 1)[0]).toMatch(/^-- ENCRYPTION_KEY=\S{44}$/);

    importDb = await createDatabase('fe_demo_import');
    execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', importDb.url, '-f', file], { stdio: 'pipe' });
    const [users] = await query<{ n: string }>(importDb.url, 'SELECT count(*) AS n FROM fief_users');
    expect(Number(users?.n)).toBeGreaterThan(0);

    // Ctrl-C in a terminal signals the whole process group (the demo and its PostgreSQL):
    // everything it started stops, the process exits, no PostgreSQL of its data dir remains.
    expect(processesMentioning(dataDir).length).toBeGreaterThan(0);
    const exit = await stop(demo, 'SIGINT', 30_000, { group: true });
    expect(exit.code).toBe(0);
    expect(demo.output()).toContain('Demo stopped.');
    expect(processesMentioning(dataDir)).toEqual([]);
  });

  it('reuses its database, seed and keys on the next start', { timeout: 120_000 }, async () => {
    const stateBefore = readFileSync(join(dataDir, 'demo.json'), 'utf8');
    const port = await freePort();
    demo = startDemo(dataDir, port);
    const console = await waitForOutput(demo, (out) => out.includes(READY_LINE), 90_000);
    expect(console).not.toMatch(/Seeding/);
    expect(readFileSync(join(dataDir, 'demo.json'), 'utf8')).toBe(stateBefore);
    expect(JSON.parse(await waitForStatus(`http://127.0.0.1:${port}/readyz`, 200, 30_000, demo))).toMatchObject({ database: 'ok' });
    // SIGTERM to the demo alone (as a process manager sends it): it stops its PostgreSQL itself.
    expect((await stop(demo, 'SIGTERM', 30_000)).code).toBe(0);
    expect(processesMentioning(dataDir)).toEqual([]);
  });
});

describe('the demo refuses to start', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'fief-exporter-demo-')), 'data');
  afterAll(() => cleanUp(undefined, dataDir));

  it('when its port is taken: one sentence, exit 1, nothing left running', { timeout: 60_000 }, async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const demo = startDemo(dataDir, port);
      const exit = await demo.exited;
      expect(exit.code).toBe(1);
      expect(demo.output().trim()).toBe(
        `fief-exporter: port ${port} is already in use; stop the program using it or start the demo with PORT set to another port`,
      );
      expect(processesMentioning(dataDir)).toEqual([]);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('when FIEF_BASE_URL is set: `npm start` runs the real service, which lists every missing setting', { timeout: 60_000 }, async () => {
    const started = spawnCaptured('npm', ['start', '--silent'], {
      cwd: packageRoot,
      env: cleanEnv({ FIEF_BASE_URL: 'https://fief.example.com', FIEF_DEMO_DATA_DIR: dataDir }),
    });
    const exit = await started.exited;
    expect(exit.code).toBe(1);
    const output = started.output();
    for (const missing of ['FIEF_CLIENT_ID', 'FIEF_CLIENT_SECRET', 'DATABASE_URL', 'ENCRYPTION_KEY', 'SECRET', 'PUBLIC_URL']) {
      expect(output).toMatch(new RegExp(`^\\s+- ${missing} is missing`, 'm'));
    }
    expect(output).not.toMatch(/FIEF_BASE_URL is missing/);
    expect(output).toMatch(/6 problems/);
    // Nothing of the demo was started.
    expect(output).not.toMatch(/PostgreSQL|Seeding/);
    expect(processesMentioning(dataDir)).toEqual([]);
  });
});
