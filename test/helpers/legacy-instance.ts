/** A seeded legacy Fief instance in a fresh database for the tests of a file (dropped after them). */
import { afterAll, beforeAll } from 'vitest';
import { seedLegacyInstance, type SeededInstance, type SeedOptions } from '../../src/dev/seed/index.js';
import { createDatabase } from './db.js';

export function useLegacyInstance(prefix: string, options: Omit<SeedOptions, 'databaseUrl'>, then?: (i: SeededInstance) => Promise<void>): { instance: SeededInstance } {
  const holder = { instance: null as unknown as SeededInstance };
  let drop: (() => Promise<void>) | null = null;
  beforeAll(async () => {
    const main = await createDatabase(prefix);
    drop = main.drop;
    holder.instance = await seedLegacyInstance({ databaseUrl: main.url, ...options });
    await then?.(holder.instance);
  }, 120_000);
  afterAll(() => drop?.());
  return holder;
}
