import { defineConfig } from 'vitest/config';

/**
 * Tests that need nothing but Node: no PostgreSQL, MariaDB, psql or browser
 * (`npm test -- --project unit`). Every other test file is an integration test.
 */
const UNIT = [
  'test/aes-cbc.test.ts',
  'test/archive-names.test.ts',
  'test/fernet.test.ts',
  'test/db-errors.test.ts',
  'test/format.test.ts',
  'test/held-tables.test.ts',
  'test/layers.test.ts',
  'test/optional-package.test.ts',
  'test/readme-options.test.ts',
  'test/reencrypt.test.ts',
  'test/restore-guard.test.ts',
  'test/restore-input.test.ts',
  'test/restore-progress.test.ts',
  'test/restore-scanner.test.ts',
  'test/reused-read-socket.test.ts',
  'test/run-pool.test.ts',
  'test/selfhosted-sqlite.test.ts',
  'test/startup-modules.test.ts',
  'test/deploy/demo-units.test.ts',
  'test/deploy/fly-toml.test.ts',
  'test/web/config.test.ts',
  'test/web/problem-format.test.ts',
  'test/web/units.test.ts',
  'test/zip-deflate.test.ts',
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: files run in parallel forks, each with its own databases.
    pool: 'forks',
    // @fastify/autoload imports routes/*.ts itself: inlined, its import() goes through vitest's
    // module graph, so routes share one instance of src/ with the tests (instanceof holds).
    server: { deps: { inline: ['@fastify/autoload'] } },
    projects: [
      { extends: true, test: { name: 'unit', include: UNIT } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: UNIT,
          // Finds (or starts) the PostgreSQL server every integration test file makes its databases on.
          globalSetup: ['test/helpers/global-setup.ts'],
        },
      },
    ],
  },
});
