/**
 * Export meets import: every dump the export engine writes replays through `fief-exporter
 * import` to the same end state (catalog and row digests) as through `psql -1 -v ON_ERROR_STOP=1 -f`.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importDump } from '../src/restore/index.js';
import { createDatabase } from './helpers/db.js';
import { captureDbState } from './helpers/db-state.js';
import { exportToFile, psqlFile, tempDir } from './helpers/dump.js';
import { useLegacyInstance } from './helpers/legacy.js';

const legacy = await useLegacyInstance({ users: 30, auditLogs: 60 });
const dir = tempDir();

// Each on both paths: the single-session replay (--jobs 1) and the parallel load.
describe.each([
  ['cloud (v0.27)', () => legacy.cloud, {}],
  ['chain (≤ 0.26)', () => legacy.chain, { pruneDeadSecrets: true }],
  ['BYOD with schema', () => legacy.byodSchema, { gzip: true }],
  ['BYOD without schema', () => legacy.byodPublic, { targetSchema: 'fief' }],
] as const)('a dump of the %s workspace', (label, workspace, options) => {
  it.each([1, 3])('imports to the same end state as psql -1 with --jobs %i', async (jobs) => {
    const file = join(dir, `${label.replace(/\W+/g, '_')}_${jobs}.sql${'gzip' in options ? '.gz' : ''}`);
    await exportToFile(
      { mainDatabase: { connectionString: legacy.databaseUrl }, encryptionKey: legacy.encryptionKey, workspaceId: workspace().id, ...options },
      file,
    );
    const ours = await createDatabase('fe_rt_ours');
    const theirs = await createDatabase('fe_rt_psql');
    try {
      const summary = await importDump({ file, database: { connectionString: ours.url }, jobs });
      expect(summary).toMatchObject({ format: 'fief', jobs });
      // Pruned tables are created but carry no COPY block.
      expect(summary.tables).toBe('pruneDeadSecrets' in options ? 21 : 28);
      let psqlInput = file;
      if ('gzip' in options) {
        const { gunzipSync } = await import('node:zlib');
        const { readFileSync, writeFileSync } = await import('node:fs');
        psqlInput = file.replace(/\.gz$/, '');
        writeFileSync(psqlInput, gunzipSync(readFileSync(file)));
      }
      const replay = await psqlFile(theirs.url, psqlInput, ['-1', '-v', 'ON_ERROR_STOP=1']);
      expect(replay.code).toBe(0);
      expect(await captureDbState(ours.url)).toEqual(await captureDbState(theirs.url));
    } finally {
      await ours.drop();
      await theirs.drop();
    }
  });
});
