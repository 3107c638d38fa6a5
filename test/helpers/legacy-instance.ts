/** A seeded legacy Fief instance in a fresh database for the tests of a file (dropped after them). */
import { afterAll, beforeAll } from 'vitest';
import { seedLegacyInstance, type SeededInstance, type SeededWorkspace, type SeedOptions } from '../../src/dev/seed/index.js';
import { createDatabase } from './db.js';

type InstanceOptions = Omit<SeedOptions, 'databaseUrl'>;

export interface LegacyInstanceHolder {
  instance: SeededInstance;
  /** The seeded workspace of that name (throws if there is none: a typo in a test). */
  workspace(name: string): SeededWorkspace;
}

/**
 * `options` may be a function, run in beforeAll, for options that need something made first
 * (a BYOD database).
 */
export function useLegacyInstance(
  prefix: string,
  options: InstanceOptions | (() => Promise<InstanceOptions>),
  then?: (i: SeededInstance) => Promise<void>,
): LegacyInstanceHolder {
  const holder: LegacyInstanceHolder = {
    instance: null as unknown as SeededInstance,
    workspace(name) {
      const w = holder.instance.workspaces.find((x) => x.name === name);
      if (!w) throw new Error(`no seeded workspace ${name}`);
      return w;
    },
  };
  let drop: (() => Promise<void>) | null = null;
  beforeAll(async () => {
    const main = await createDatabase(prefix);
    drop = main.drop;
    const resolved = typeof options === 'function' ? await options() : options;
    holder.instance = await seedLegacyInstance({ databaseUrl: main.url, ...resolved });
    await then?.(holder.instance);
  }, 300_000);
  afterAll(() => drop?.());
  return holder;
}
