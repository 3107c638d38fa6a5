import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: files run in parallel forks, each with its own databases.
    pool: 'forks',
    // @fastify/autoload imports routes/*.ts itself: inlined, its import() goes through vitest's
    // module graph, so routes share one instance of src/ with the tests (instanceof holds).
    server: { deps: { inline: ['@fastify/autoload'] } },
  },
});
