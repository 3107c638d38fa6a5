/**
 * Decompressed input arrives in fresh buffers (zlib allocates each output chunk), and V8 only
 * collects them when its young generation fills or the external memory grows by 64 MB: on a
 * gzip input the garbage alone would be most of the import's memory. A minor collection every
 * few megabytes (about a millisecond each) keeps it to that. Plain files do not need this:
 * they are read into reused buffers (pooled-file.ts).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const EVERY_BYTES = 8 * 2 ** 20;

type Collect = (options: { type: 'minor' | 'major' }) => void;

let collect: Collect | null | undefined;

function minorCollector(): Collect | null {
  if (collect !== undefined) return collect;
  try {
    // The documented way to reach V8's gc() without starting node with --expose-gc.
    setFlagsFromString('--expose-gc');
    collect = runInNewContext('gc') as Collect;
  } catch {
    collect = null;
  }
  return collect;
}

/** Passes chunks through, collecting the young generation every few megabytes. */
export async function* paced(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const gc = minorCollector();
  let since = 0;
  for await (const chunk of source) {
    since += chunk.length;
    if (since >= EVERY_BYTES && gc) {
      since = 0;
      gc({ type: 'minor' });
    }
    yield chunk;
  }
}
