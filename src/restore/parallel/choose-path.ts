/**
 * Which path an import takes: a dump of ours (line 2) is loaded in parallel unless `--jobs 1`
 * or the server and machine leave room for one session only; anything else, and every
 * `--no-single-transaction` import, is replayed with psql semantics. The first two lines are
 * read ahead and handed back, so the chosen path reads the script from its start.
 */
import type pg from 'pg';
import { DumpFormat } from '../dump-format.js';
import type { ScriptEvent, ScriptReader } from '../script-reader.js';
import { defaultJobs } from './jobs.js';

export interface PathChoice {
  /** The job sessions of a parallel load, or 1 for the single-session replay. */
  jobs: number;
  /** The format as read from the first lines (fed again by whoever reads them next). */
  format: DumpFormat;
}

export async function choosePath(reader: ScriptReader, client: pg.Client, requested: number | undefined, single: boolean): Promise<PathChoice> {
  const format = new DumpFormat();
  const seen: ScriptEvent[] = [];
  try {
    while (seen.length < 2) {
      const ev = await reader.next();
      seen.push(ev.kind === 'end' ? ev : { ...ev, text: Buffer.from(ev.text) });
      if (ev.kind !== 'comment') break;
      format.comment(ev.text.toString('utf8'), ev.line);
      if (ev.line >= 2) break;
    }
  } catch {
    // A bad format line: the single-session replay reports it in its usual words.
    reader.pushBack(...seen);
    return { jobs: 1, format: new DumpFormat() };
  }
  reader.pushBack(...seen);
  const fresh = new DumpFormat();
  if (!format.ours || !single || requested === 1) return { jobs: 1, format: fresh };
  return { jobs: requested ?? (await defaultJobs(client)), format: fresh };
}
