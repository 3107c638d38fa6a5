/**
 * Start/stop bookkeeping for the demo: what was started is stopped in reverse order, once.
 * The first SIGINT/SIGTERM/SIGHUP asks for an orderly stop (after the current start-up step,
 * or at once when the demo is up); a second one ends the process right away, after a last
 * immediate-shutdown signal to PostgreSQL so that no server outlives the demo.
 */
import { exitCodeOf, exitOnSignals } from '../signal-exit.js';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

let releaseEarlySignals = (): void => undefined;

/**
 * Until the lifecycle exists (modules loading, nothing started yet), a signal simply ends the
 * process. Without this, node running as PID 1 (a container started with the demo as its
 * command) would ignore SIGTERM in that window: PID 1 gets no default signal actions.
 */
export function exitOnEarlySignals(): void {
  releaseEarlySignals = exitOnSignals(SIGNALS);
}

export class DemoLifecycle {
  readonly #cleanups: { name: string; run: () => Promise<void> }[] = [];
  readonly #emergency: (() => void)[] = [];
  #stopRequested = false;
  #resolveStop!: (signal: string) => void;
  /** Resolves with the signal's name when someone asked the demo to stop. */
  readonly stopSignal = new Promise<string>((resolve) => (this.#resolveStop = resolve));
  readonly #onSignal = (signal: NodeJS.Signals) => {
    if (this.#stopRequested) {
      this.log('Stopping now (second signal).');
      for (const kill of this.#emergency) kill();
      process.exit(exitCodeOf(signal));
    }
    this.requestStop(signal);
  };

  constructor(private readonly log: (line: string) => void) {
    for (const signal of SIGNALS) process.on(signal, this.#onSignal);
    releaseEarlySignals();
  }

  /** An orderly stop for `reason` (a signal's name, or why); later requests are ignored. */
  requestStop(reason: string): void {
    if (this.#stopRequested) return;
    this.#stopRequested = true;
    this.log(`\nStopping the demo (${reason}); press Ctrl-C again to force.`);
    this.#resolveStop(reason);
  }

  get stopRequested(): boolean {
    return this.#stopRequested;
  }

  /** Registers how to stop something just started; `emergency` runs on a forced exit. */
  started(name: string, stop: () => Promise<void>, emergency?: () => void): void {
    this.#cleanups.push({ name, run: stop });
    if (emergency) this.#emergency.push(emergency);
  }

  /** Stops everything started, newest first; a failure to stop one thing does not skip the rest. */
  async stopAll(): Promise<void> {
    for (let next = this.#cleanups.pop(); next; next = this.#cleanups.pop()) {
      try {
        await next.run();
      } catch (err) {
        this.log(`Could not stop the ${next.name} cleanly: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    for (const signal of SIGNALS) process.removeListener(signal, this.#onSignal);
  }
}
