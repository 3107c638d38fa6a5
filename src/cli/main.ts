#!/usr/bin/env -S node --max-semi-space-size=1
// The flag above: export and import move hundreds of megabytes through a handful of buffers;
// V8's default young generation (up to 2 × 16 MB) would only hold garbage, ~20 MB of RSS.
import { runCli } from './program.js';

// Long-running commands (serve, demo) keep the process alive through their own handles;
// for the others, exitCode lets pending stdout writes flush before the process ends.
process.exitCode = await runCli(process.argv);
