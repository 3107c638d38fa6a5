/**
 * A real headless Chromium, as a person would: sign in on the IdP's form, see the workspaces,
 * click Export data, save the download, replay it with psql into an empty database and compare
 * the users with the source.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, query } from '../helpers/db.js';
import { startEmbeddedPostgres } from '../helpers/pg-server.js';
import { seedWebFixture, type WebFixture } from './helpers/fixture.js';
import { startStack, type Stack } from './helpers/stack.js';

let fixture: WebFixture;
let stack: Stack;
let browser: Browser;
const dir = mkdtempSync(join(tmpdir(), 'fief-exporter-browser-'));

beforeAll(async () => {
  fixture = await seedWebFixture();
  stack = await startStack({ accounts: fixture.accounts, databaseUrl: fixture.databaseUrl, encryptionKey: fixture.encryptionKey });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});
afterAll(async () => {
  await browser?.close();
  await stack?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page, email: string): Promise<void> {
  await page.goto(stack.appUrl);
  await page.getByRole('link', { name: 'Sign in with Fief' }).click();
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(`${stack.appUrl}/workspaces`);
}

describe('in Chromium', () => {
  it('signs in, exports a workspace, and the download replays with psql', async () => {
    const anne = fixture.accounts[0]!;
    const workspace = fixture.workspaces.find((w) => w.name === 'Bretagne')!;
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()));

    await signIn(page, anne.email);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Your workspaces');
    expect(await page.getByRole('rowheader', { name: 'Bretagne' }).count()).toBe(1);
    expect(await page.getByRole('heading', { name: 'After the download: next steps' }).isVisible()).toBe(true);
    await page.screenshot({ path: join(tmpdir(), 'fief-exporter-workspaces.png'), fullPage: true });

    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Bretagne' }) });
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Export data' }).click()]);
    expect(download.suggestedFilename()).toBe('fief_dump_Bretagne.sql');
    const file = join(dir, download.suggestedFilename());
    await download.saveAs(file);
    expect(await download.failure()).toBeNull();
    expect(page.url()).toBe(`${stack.appUrl}/workspaces`); // a download does not navigate
    expect(consoleErrors).toEqual([]); // e.g. no CSP violation

    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toMatch(/^-- ENCRYPTION_KEY=[A-Za-z0-9_-]{43}=$/);
    expect(text).not.toContain(fixture.encryptionKey);

    const target = await createDatabase('fe_web_import');
    try {
      execFileSync('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', target.url, '-f', file], { stdio: ['ignore', 'ignore', 'pipe'] });
      const [imported] = await query<{ n: string }>(target.url, 'SELECT count(*) AS n FROM public.fief_users');
      const [source] = await query<{ n: string }>(fixture.databaseUrl, `SELECT count(*) AS n FROM "${workspace.id}".fief_users`);
      expect(Number(imported?.n)).toBe(Number(source?.n));
      expect(Number(imported?.n)).toBe(workspace.rowCounts.fief_users);
    } finally {
      await target.drop();
    }
    await context.close();
  });

  it("follows the page's own import command, copied literally, for a workspace whose name has a space", { timeout: 120_000 }, async () => {
    const carol = fixture.accounts[2]!;
    const workspace = fixture.workspaces.find((w) => w.name === 'Grand Dump')!;
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await page.goto(stack.appUrl);
    await page.getByRole('link', { name: 'Sign in with Fief' }).click();
    await page.getByLabel('Email address').fill(carol.email);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${stack.appUrl}/workspaces`);

    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'Grand Dump' }) });
    const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('button', { name: 'Export data' }).click()]);
    const downloads = join(dir, 'Downloads');
    mkdirSync(downloads, { recursive: true });
    await download.saveAs(join(downloads, download.suggestedFilename()));
    expect(download.suggestedFilename()).toBe('fief_dump_Grand Dump.sql');

    await row.getByText('Import command').click();
    const commands = await row.locator('code.import-command').innerText();
    expect(commands).toContain('createdb');

    // A fresh server, so the recipe's own `createdb fief_new` runs exactly as printed.
    const server = await startEmbeddedPostgres();
    try {
      const admin = new URL(server.adminUrl);
      execFileSync('sh', ['-c', commands], {
        cwd: downloads,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { PATH: process.env.PATH, PGHOST: admin.hostname, PGPORT: admin.port, PGUSER: 'postgres', PGPASSWORD: 'postgres' },
      });
      const imported = new URL(server.adminUrl);
      imported.pathname = '/fief_new';
      const [users] = await query<{ n: string }>(imported.href, 'SELECT count(*) AS n FROM public.fief_users');
      expect(Number(users?.n)).toBe(workspace.rowCounts.fief_users);
    } finally {
      await server.stop();
    }
    await context.close();
  });

  it('clicks Export all my workspaces and gets one zip whose dumps load with psql', async () => {
    const anne = fixture.accounts[0]!;
    const context = await browser.newContext({ acceptDownloads: true });
    const page = await context.newPage();
    await signIn(page, anne.email);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export all my workspaces' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^fief_workspaces_\d{4}-\d{2}-\d{2}\.zip$/);
    const zip = join(dir, download.suggestedFilename());
    await download.saveAs(zip);
    expect(await download.failure()).toBeNull();
    expect(page.url()).toBe(`${stack.appUrl}/workspaces`);

    expect(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' })).toMatch(/No errors detected/);
    const entries = execFileSync('unzip', ['-Z1', zip], { encoding: 'utf8' }).trim().split('\n').sort();
    const mine = fixture.workspaces.filter((w) => w.members.includes(anne.sub));
    expect(entries).toEqual([...mine.map((w) => `fief_dump_${w.name}.sql`), 'README.txt', 'manifest.json'].sort());
    for (const workspace of mine) {
      const target = await createDatabase('fe_web_all');
      try {
        execFileSync('bash', ['-c', 'set -o pipefail; unzip -p "$1" "$2" | psql -X -q -v ON_ERROR_STOP=1 -d "$3"', 'bash', zip, `fief_dump_${workspace.name}.sql`, target.url], {
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        const [imported] = await query<{ n: string }>(target.url, 'SELECT count(*) AS n FROM public.fief_users');
        expect(Number(imported?.n)).toBe(workspace.rowCounts.fief_users);
      } finally {
        await target.drop();
      }
    }
    await context.close();
  });
});
