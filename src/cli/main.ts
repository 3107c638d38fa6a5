#!/usr/bin/env -S node --max-semi-space-size=1
// The flag above: export and import move hundreds of megabytes through a handful of buffers;
// V8's default young generation (up to 2 × 16 MB) would only hold garbage, ~20 MB of RSS. It
// cannot be set later (v8.setFlagsFromString leaves the heap as it was created), and its cost at
// start-up is a few scavenges of 1 MB while modules load (~1 % of a one-statement import's CPU).
import module from 'node:module';

// Node ≥ 22.1 keeps V8's compiled code of our modules and their dependencies on disk (the OS's
// temporary folder, or NODE_COMPILE_CACHE) and reuses it on the next run; older Nodes lack it.
// Enabled before anything else is loaded, hence the dynamic import below.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { runCli } = await import('./program.js');

// Long-running commands (serve, demo) keep the process alive through their own handles;
// for the others, exitCode lets pending stdout writes flush before the process ends.
process.exitCode = await runCli(process.argv);
