/**
 * Ctrl-C (SIGINT) or SIGTERM during a long command: the first one stops the work through
 * `stop` so the command cleans up as for any failure (no half-written file left behind, the
 * database session closed); a second one exits at once.
 */
import { exitCodeOf } from '../signal-exit.js';
import { printErr } from './io.js';

const SIGNALS = ['SIGINT', 'SIGTERM'] as const;

export function onInterrupt(stop: (signal: string) => void): { dispose: () => void } {
  let seen = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (seen) process.exit(exitCodeOf(signal));
    seen = true;
    stop(signal);
  };
  for (const s of SIGNALS) process.on(s, handler);
  return {
    dispose: () => {
      for (const s of SIGNALS) process.off(s, handler);
    },
  };
}

/**
 * For work that has nothing of its own to clean up (nothing written yet; the server rolls back
 * what a closed connection left open): a signal ends the process at once (130 for Ctrl-C, 143 for SIGTERM), saying
 * what it stopped, instead of dying silently.
 */
export function exitOnInterrupt(message: (signal: string) => string): { dispose: () => void } {
  return onInterrupt((signal) => {
    printErr(`fief-exporter: ${message(signal)}\n`);
    process.exit(exitCodeOf(signal));
  });
}
