/**
 * `fief-exporter demo env`: the environment that points the CLI (`workspaces`, `export`) at the
 * running demo's legacy Fief Cloud, as `export NAME='value'` lines for `eval "$(...)"`. The
 * database password and the ENCRYPTION_KEY appear only here, never in the demo's console or logs.
 */
import { existsSync, readFileSync } from 'node:fs';
import { ExporterError } from '../errors.js';
import { shellQuote } from '../import-recipe.js';
import { demoPaths, type DemoPaths } from './data-dir.js';
import { loadDemoState } from './demo-state.js';
import { pidAlive, postmasterPid, postmasterPort } from './embedded-postgres.js';

export interface DemoDatabase {
  port: number;
  database: string;
}

/** postgres://postgres:<password>@127.0.0.1:<port>/<database>, with the password masked unless `password` is given. */
export function demoDatabaseUrl({ port, database }: DemoDatabase, password?: string): string {
  const secret = password === undefined ? '****' : encodeURIComponent(password);
  return `postgres://postgres:${secret}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

/** The command a person runs to load that environment into their shell (names the data directory when it is not the default). */
export function demoEnvCommand(env: NodeJS.ProcessEnv = process.env): string {
  const override = env.FIEF_DEMO_DATA_DIR?.trim();
  const prefix = override ? `FIEF_DEMO_DATA_DIR=${shellQuote(demoPaths(env).root)} ` : '';
  return `eval "$(${prefix}npx fief-exporter demo env)"`;
}

function notRunning(paths: DemoPaths): ExporterError {
  return new ExporterError('DATABASE_UNREACHABLE', `no demo is running with its data in ${paths.root}; start it first (npm start), then run this again`);
}

export function demoEnvironment(env: NodeJS.ProcessEnv = process.env): string {
  const paths = demoPaths(env);
  if (!existsSync(paths.stateFile)) throw notRunning(paths);
  const state = loadDemoState(readFileSync(paths.stateFile, 'utf8'), paths.stateFile);
  const pid = postmasterPid(paths.postgresDir);
  const port = postmasterPort(paths.postgresDir);
  if (!state.seed || pid === undefined || port === undefined || !pidAlive(pid)) throw notRunning(paths);
  const url = demoDatabaseUrl({ port, database: state.seed.database }, state.postgresPassword);
  const first = state.seed.workspaces[0];
  return [
    `# The running demo's legacy Fief Cloud (${paths.root}). Load with: eval "$(npx fief-exporter demo env)"`,
    `export DATABASE_URL=${shellQuote(url)}`,
    `export ENCRYPTION_KEY=${shellQuote(state.encryptionKey)}`,
    '# Then: npx fief-exporter workspaces',
    ...(first ? [`#       npx fief-exporter export --workspace ${first.id}`] : []),
    '',
  ].join('\n');
}
