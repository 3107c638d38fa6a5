/** A scratch directory and a target database holding `setup`, with its state captured before the tests of a file. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { query, useTestDatabase } from './db.js';
import { captureDbState, type DbState } from './db-state.js';

export interface CorpusTarget {
  dir: string;
  url: string;
  before: DbState | null;
}

export function corpusTarget(prefix: string, setup: string): CorpusTarget {
  const t: CorpusTarget = { dir: '', url: '', before: null };
  beforeAll(async () => {
    t.dir = await mkdtemp(join(tmpdir(), `${prefix}-`));
    t.url = (await useTestDatabase(prefix.replace(/\W/g, '_'))).url;
    await query(t.url, setup);
    t.before = await captureDbState(t.url);
  });
  afterAll(() => rm(t.dir, { recursive: true, force: true }));
  return t;
}
