/**
 * Runs the script reader over a script fed in chunks of a given size and lists what it saw,
 * in a form tests compare directly (COPY data is read as the importer reads it).
 */
import { ScriptReader } from '../../src/restore/script-reader.js';

export type Seen =
  | { stmt: string; line: number; parts?: number; complete?: false }
  | { meta: string; line: number }
  | { comment: string; line: number }
  | { copyData: string };

/** Hands out the chunks one event-loop turn apart, as a real stream would. */
async function* chunks(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) {
    await Promise.resolve();
    yield data.subarray(i, Math.min(data.length, i + size));
  }
}

export async function scriptEvents(script: string | Buffer, chunkSize = 1 << 20, standardStrings = true): Promise<Seen[]> {
  const data = typeof script === 'string' ? Buffer.from(script) : script;
  const reader = new ScriptReader(chunks(data, chunkSize));
  reader.sql.standardStrings = standardStrings;
  const out: Seen[] = [];
  for (;;) {
    const ev = await reader.next();
    if (ev.kind === 'end') return out;
    if (ev.kind === 'meta') out.push({ meta: ev.text.toString(), line: ev.line });
    else if (ev.kind === 'comment') out.push({ comment: ev.text.toString(), line: ev.line });
    else {
      const seen: Seen = { stmt: ev.text.toString(), line: ev.line };
      if (ev.parts.length > 1) seen.parts = ev.parts.length;
      if (!ev.complete) seen.complete = false;
      out.push(seen);
      if (ev.parts.length === 1 && ev.parts[0]?.copy === 'in') {
        const parts: Buffer[] = [];
        for await (const slice of reader.copyData()) parts.push(slice);
        out.push({ copyData: Buffer.concat(parts).toString() });
      }
    }
  }
}

/** The same events whatever the chunking: every chunk size from 1 to 9, plus whole. */
export async function scriptEventsAnyChunking(script: string | Buffer, standardStrings = true): Promise<Seen[]> {
  const whole = await scriptEvents(script, 1 << 20, standardStrings);
  for (const size of [1, 2, 3, 4, 5, 7, 9]) {
    const chunked = await scriptEvents(script, size, standardStrings);
    if (JSON.stringify(chunked) !== JSON.stringify(whole)) {
      throw new Error(`chunk size ${size} changes the events:\n${JSON.stringify(chunked)}\nvs whole:\n${JSON.stringify(whole)}`);
    }
  }
  return whole;
}
