/**
 * The post-data section of a dump of ours (keys, indexes, foreign keys, then the footer) sits
 * after the last COPY block. For an uncompressed file it is read from the end before the data,
 * so that a table's keys and indexes can be built while the next tables are still loading.
 * The reader still reads the whole file in order and checks that it meets exactly these
 * statements (see ParallelLoad); this is only a look ahead.
 */
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { announcedRows } from '../dump-format.js';
import { decode } from '../replay-errors.js';
import { ScriptReader } from '../script-reader.js';
import { statementKind, type StatementKind } from '../statement-kind.js';

/** Our post-data sections are tens of kB; a larger tail is not looked ahead at. */
const MAX_TAIL = 4 << 20;
const END_OF_COPY = /\n\\\.\r?\n/g;

export interface TailStatement {
  kind: StatementKind;
  text: string;
}

export interface PostDataTail {
  statements: TailStatement[];
  /** Rows per table as the footer's verify lines announce them: only a hint for planning the load. */
  rows: Map<string, number>;
}

/** The statements after the last `\.` line, or null when there is none within reach. */
export async function readPostDataTail(path: string): Promise<PostDataTail | null> {
  const fh = await open(path, 'r');
  let tail: Buffer;
  try {
    const { size } = await fh.stat();
    const length = Math.min(size, MAX_TAIL);
    tail = Buffer.alloc(length);
    await fh.read(tail, 0, length, size - length);
  } finally {
    await fh.close();
  }
  const text = tail.toString('latin1'); // byte offsets unchanged
  let end = -1;
  for (const m of text.matchAll(END_OF_COPY)) end = m.index + m[0].length;
  if (end < 0) return null;
  const section = tail.subarray(end);
  const reader = new ScriptReader(Readable.from([section])[Symbol.asyncIterator]());
  const out: PostDataTail = { statements: [], rows: new Map() };
  for (let ev = await reader.next(); ev.kind !== 'end'; ev = await reader.next()) {
    if (ev.kind === 'meta') return null;
    if (ev.kind === 'comment') {
      // Only a hint: the reader checks the verify lines when it meets them.
      const announced = announcedRows(ev.text.toString('utf8'));
      if (announced) out.rows.set(announced.table, announced.rows);
    }
    if (ev.kind !== 'statement') continue;
    const kind = statementKind(ev.parts);
    if (kind === null || !ev.complete) return null;
    out.statements.push({ kind, text: decode(ev) });
  }
  return out;
}
