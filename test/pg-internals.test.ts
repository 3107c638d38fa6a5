/**
 * `pg` is pinned to an exact version because src/dump/copy-out.ts and src/db/reused-read-socket.ts
 * reach past its public API. Each assumption they make is checked here by name, so an upgrade
 * that breaks one fails with the reason instead of as a hung or garbled export.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { dumpSocket, ReusedReadSocket } from '../src/db/reused-read-socket.js';
import { CopyOutStream } from '../src/dump/copy-out.js';
import { useTestDatabase } from './helpers/db.js';

const db = await useTestDatabase('fe_pginternals');

describe('the pg internals the dump engine relies on', () => {
  it('pg is pinned exactly, and the installed pg is that version', () => {
    const manifest = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { dependencies: Record<string, string> };
    const pinned = manifest.dependencies.pg;
    expect(pinned, 'package.json must pin pg to an exact version (copy-out.ts reaches into its internals)').toMatch(/^\d+\.\d+\.\d+$/);
    const installed = (createRequire(import.meta.url)('pg/package.json') as { version: string }).version;
    expect(installed, 'the installed pg differs from the pinned one: run npm ci').toBe(pinned);
  });

  it('a client built with the `stream` option runs on our socket, read through one data listener', async () => {
    const client = new pg.Client({ connectionString: db.url, stream: dumpSocket });
    await client.connect();
    try {
      // reused-read-socket.ts: pg takes the socket from the `stream` factory and reads 'data' events.
      const connection = (client as unknown as { connection?: { stream?: unknown; query?: unknown } }).connection;
      expect(connection, 'pg.Client#connection is gone').toBeDefined();
      expect(connection?.stream instanceof ReusedReadSocket, 'pg no longer uses the socket the `stream` option returns').toBe(true);
      // copy-out.ts swaps pg's one 'data' listener for its own during a COPY.
      expect((connection?.stream as ReusedReadSocket).listeners('data'), 'pg no longer reads its socket through exactly one data listener').toHaveLength(1);
      expect(typeof connection?.query, 'pg Connection#query(text) is gone (copy-out.ts sends its COPY with it)').toBe('function');
    } finally {
      await client.end();
    }
  });

  it('a submittable gets submit(connection), then the error and completion callbacks', async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const calls: string[] = [];
      const copy = new CopyOutStream('COPY (SELECT 1) TO STDOUT');
      for (const name of ['submit', 'handleCommandComplete', 'handleReadyForQuery'] as const) {
        const original = copy[name].bind(copy) as (...args: unknown[]) => void;
        (copy as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
          calls.push(name);
          original(...args);
        };
      }
      const stream = client.query(copy as unknown as pg.Submittable) as unknown as CopyOutStream;
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe('1\n');
      // pg delivers CommandComplete/ReadyForQuery to the active query once the socket is handed back.
      await client.query('SELECT 1');
      expect(calls, 'pg no longer drives a submittable through submit/handleCommandComplete/handleReadyForQuery').toEqual([
        'submit',
        'handleCommandComplete',
        'handleReadyForQuery',
      ]);
    } finally {
      await client.end();
    }
  });
});
