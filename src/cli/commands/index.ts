import type { Command } from 'commander';
import { register as registerWorkspaces } from './workspaces.js';
import { register as registerExport } from './export.js';
import { register as registerDevSeed } from './dev-seed.js';

/** Every CLI command, in the order `--help` lists them. */
export function registerCommands(program: Command): void {
  registerWorkspaces(program);
  registerExport(program);
  registerDevSeed(program);
}
