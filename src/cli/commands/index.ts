import type { Command } from 'commander';

interface CommandModule {
  register(program: Command): void;
}

/**
 * Every CLI command, in the order `--help` lists them. Loaded on demand: `export` and `import`
 * stream hundreds of megabytes with a flat memory budget, so they must not carry the web
 * server's or the MySQL driver's modules in memory.
 */
const COMMANDS: Record<string, () => Promise<CommandModule>> = {
  workspaces: () => import('./workspaces.js'),
  export: () => import('./export.js'),
  import: () => import('./import.js'),
  'migrate-in-place': () => import('./migrate-in-place.js'),
  serve: () => import('./serve.js'),
  demo: () => import('./demo.js'),
  dev: () => import('./dev-seed.js'),
};

/** Registers only the command named on the command line, or all of them (help, typos). */
export async function registerCommands(program: Command, argv: readonly string[]): Promise<void> {
  const name = argv[2];
  const wanted = name !== undefined && name in COMMANDS ? [name] : Object.keys(COMMANDS);
  const modules = await Promise.all(wanted.map((n) => COMMANDS[n]!()));
  for (const m of modules) m.register(program);
}
