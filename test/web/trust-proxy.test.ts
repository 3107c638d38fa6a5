/**
 * TRUST_PROXY by what it means: a request that reaches the app from proxy P saying
 * `X-Forwarded-For: C` (or, on Fly, `Fly-Client-IP: C`) comes from C, so two clients behind the
 * same proxy get two sign-in rate-limit buckets; a client that talks to the app directly cannot
 * pick its address with those headers.
 */
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../src/web/app.js';
import { parseWebConfig } from '../../src/web/config.js';
import { fakeLegacy } from './helpers/fakes.js';
import { LogCapture, testEnv } from './helpers/stack.js';

/** Runs `fn` against an app listening on loopback (the "proxy" is the test itself, 127.0.0.1). */
async function withApp(env: Record<string, string>, fn: (call: (headers: Record<string, string>) => Promise<number>, seen: () => string[]) => Promise<void>) {
  const parsed = parseWebConfig(testEnv({ AUTH_RATE_LIMIT_PER_MINUTE: '2', ...env }));
  if (!parsed.ok) throw new Error(parsed.problems.join('; '));
  const legacy = fakeLegacy([], {});
  const logs = new LogCapture();
  const app = await buildApp(parsed.config, { workspaces: legacy.workspaces, openExport: legacy.openExport, logStream: logs });
  const base = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    // /auth/login is rate-limited per client address (503 here: no IdP; 429 once over the limit).
    const call = async (headers: Record<string, string>) => (await fetch(`${base}/auth/login`, { headers, redirect: 'manual' })).status;
    const seen = () => logs.entries().filter((e) => e.req !== undefined).map((e) => String((e.req as { remoteAddress?: unknown }).remoteAddress));
    await fn(call, seen);
  } finally {
    await app.close();
  }
}

const twoClientsTwoBuckets = async (call: (h: Record<string, string>) => Promise<number>, from: (ip: string) => Record<string, string>) => {
  const statuses = [];
  for (const ip of ['203.0.113.7', '203.0.113.7', '203.0.113.7', '203.0.113.9', '203.0.113.9', '203.0.113.9']) statuses.push(await call(from(ip)));
  expect(statuses).toEqual([503, 503, 429, 503, 503, 429]);
};

describe('TRUST_PROXY', () => {
  const xff = (ip: string) => ({ 'x-forwarded-for': ip });

  for (const setting of ['1', '127.0.0.1', '127.0.0.0/8, 10.0.0.1', 'loopback']) {
    it(`TRUST_PROXY=${setting}: X-Forwarded-For from the proxy names the client, one bucket per client`, async () => {
      await withApp({ TRUST_PROXY: setting }, async (call, seen) => {
        await twoClientsTwoBuckets(call, xff);
        expect(seen().slice(0, 6)).toEqual(['203.0.113.7', '203.0.113.7', '203.0.113.7', '203.0.113.9', '203.0.113.9', '203.0.113.9']);
      });
    });
  }

  it('TRUST_PROXY=1 believes only the last hop: what a client prepends is ignored', async () => {
    await withApp({ TRUST_PROXY: '1' }, async (call, seen) => {
      for (const spoof of ['1.1.1.1', '2.2.2.2', '3.3.3.3']) await call({ 'x-forwarded-for': `${spoof}, 203.0.113.7` });
      expect(seen()).toEqual(['203.0.113.7', '203.0.113.7', '203.0.113.7']);
    });
  });

  it('a peer that is not a listed proxy cannot choose its address', async () => {
    await withApp({ TRUST_PROXY: '10.0.0.1' }, async (call, seen) => {
      expect([await call(xff('1.1.1.1')), await call(xff('2.2.2.2')), await call(xff('3.3.3.3'))]).toEqual([503, 503, 429]);
      expect(seen()).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    });
  });

  it('on Fly (FLY_APP_NAME set, TRUST_PROXY unset or fly), Fly-Client-IP is the client', async () => {
    const onFly: Record<string, string>[] = [{ FLY_APP_NAME: 'fief-exporter' }, { FLY_APP_NAME: 'fief-exporter', TRUST_PROXY: 'fly' }];
    for (const env of onFly) {
      await withApp(env, async (call, seen) => {
        await twoClientsTwoBuckets(call, (ip) => ({ 'fly-client-ip': ip, 'x-forwarded-for': `6.6.6.6, ${ip}` }));
        expect(seen().slice(0, 4)).toEqual(['203.0.113.7', '203.0.113.7', '203.0.113.7', '203.0.113.9']);
      });
    }
  });

  it('off Fly, Fly-Client-IP is a header like any other, and TRUST_PROXY=fly is refused', async () => {
    await withApp({}, async (call, seen) => {
      expect([await call({ 'fly-client-ip': '1.1.1.1' }), await call({ 'fly-client-ip': '2.2.2.2' }), await call({ 'fly-client-ip': '3.3.3.3' })]).toEqual([503, 503, 429]);
      expect(seen()).toEqual(['127.0.0.1', '127.0.0.1', '127.0.0.1']);
    });
    const refused = parseWebConfig(testEnv({ TRUST_PROXY: 'fly' }));
    expect(refused.ok ? [] : refused.problems).toEqual([expect.stringContaining('TRUST_PROXY=fly is only valid on a Fly.io machine')]);
    for (const bad of ['0', 'yes', '300.1.1.1', '10.0.0.0/33', '10.0.0.1,,nope']) {
      const result = parseWebConfig(testEnv({ TRUST_PROXY: bad }));
      expect(result.ok, bad).toBe(false);
    }
  });
});
