/**
 * Membership is `workspace_users.user_id = sub` compared as UUID values: the predicate can use an
 * index on user_id (a large main database is not scanned per page view), and a sub that is not a
 * UUID in canonical form matches nothing (and raises no cast error).
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getWorkspace, listWorkspaces } from '../../src/legacy/workspaces.js';
import { query } from '../helpers/db.js';
import { seedWebFixture, type WebFixture } from './helpers/fixture.js';

let fixture: WebFixture;
let client: pg.Client;

beforeAll(async () => {
  fixture = await seedWebFixture();
  await query(fixture.databaseUrl, 'CREATE INDEX wu_user_ix ON public.workspace_users (user_id)');
  client = new pg.Client({ connectionString: fixture.databaseUrl });
  await client.connect();
});
afterAll(() => client?.end());

/** A client that records each query's plan before running it. */
function explaining(plans: string[]): pg.ClientBase {
  return {
    query: async (sql: string, params: unknown[]) => {
      const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sql}`, params);
      plans.push(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
      return client.query(sql, params);
    },
  } as unknown as pg.ClientBase;
}

describe('workspace membership', () => {
  it('compares user_id with the sub as a uuid, so an index on user_id serves it', async () => {
    const anne = fixture.accounts[0]!;
    await client.query('SET enable_seqscan = off');
    try {
      const plans: string[] = [];
      const listed = await listWorkspaces(explaining(plans), { userSub: anne.sub });
      expect(listed.map((w) => w.name).sort()).toEqual(['Bretagne', 'Normandie']);
      const bretagne = listed.find((w) => w.name === 'Bretagne')!;
      expect(await getWorkspace(explaining(plans), bretagne.id, { userSub: anne.sub })).not.toBeNull();
      expect(plans).toHaveLength(2);
      for (const plan of plans) expect(plan).toContain('wu_user_ix');
    } finally {
      await client.query('RESET enable_seqscan');
    }
  });

  it('matches the same UUID value in any letter case, and nothing for a sub that is not a canonical UUID', async () => {
    const anne = fixture.accounts[0]!;
    const names = async (sub: string) => (await listWorkspaces(client, { userSub: sub })).map((w) => w.name).sort();
    expect(await names(anne.sub.toUpperCase())).toEqual(['Bretagne', 'Normandie']);
    for (const sub of [anne.sub.replaceAll('-', ''), `{${anne.sub}}`, ` ${anne.sub}`, 'not-a-uuid', '']) {
      expect(await names(sub), sub).toEqual([]);
    }
  });
});
