/**
 * The job sessions of a parallel load (src/restore/parallel/jobs.ts) are the load's parallelism:
 * each builds its indexes alone, since a build's own parallel workers would compete with the
 * other sessions for the same cores.
 */
import { expect, it } from 'vitest';
import { closeJobs, openJobs } from '../src/restore/parallel/jobs.js';
import { useTestDatabase } from './helpers/db.js';

it('job sessions build indexes without parallel workers, with sort memory and asynchronous commits', async () => {
  const db = await useTestDatabase('fe_jobs');
  const jobs = await openJobs({ connectionString: db.url }, 2, [], 'fe_staging_test');
  try {
    for (const job of jobs) {
      const { rows } = await job.client.query<{ workers: string; memory: string; commit: string; path: string }>(
        `SELECT current_setting('max_parallel_maintenance_workers') AS workers,
                pg_size_bytes(current_setting('maintenance_work_mem'))::text AS memory,
                current_setting('synchronous_commit') AS commit, current_setting('search_path') AS path`,
      );
      expect(rows[0]).toEqual({ workers: '0', memory: String(256 * 1024 * 1024), commit: 'off', path: '"fe_staging_test"' });
    }
  } finally {
    await closeJobs(jobs);
  }
});
