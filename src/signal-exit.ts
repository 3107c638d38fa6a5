/**
 * Ending the process on a stop signal by our own hand. Node as PID 1 (a container's command,
 * the image's `serve`, the demo run as `docker run ... demo`) gets no default signal action: a
 * SIGTERM or SIGINT that no listener handles is dropped, and `docker stop` waits out its timeout.
 */
const SIGNAL_NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

export type StopSignal = keyof typeof SIGNAL_NUMBERS;

/** The shell's exit code for a process ended by `signal` (128 + its number): 130 for SIGINT. */
export function exitCodeOf(signal: string): number {
  return 128 + (SIGNAL_NUMBERS[signal as StopSignal] ?? 0);
}

function exitOnSignal(signal: NodeJS.Signals): void {
  process.exit(exitCodeOf(signal));
}

/** From now until the returned release is called, each of `signals` ends the process at once. */
export function exitOnSignals(signals: readonly StopSignal[]): () => void {
  for (const signal of signals) process.on(signal, exitOnSignal);
  return () => {
    for (const signal of signals) process.off(signal, exitOnSignal);
  };
}
