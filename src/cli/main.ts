#!/usr/bin/env node
import { runCli } from './program.js';

// Long-running commands (serve, demo) keep the process alive through their own handles;
// for the others, exitCode lets pending stdout writes flush before the process ends.
process.exitCode = await runCli(process.argv);
