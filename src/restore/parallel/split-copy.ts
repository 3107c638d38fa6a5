/**
 * One COPY block streamed into its staged table over several job sessions at once. The post-data
 * work of a table cannot start before its rows are in, so while the first large table of a dump
 * loads, every other job session would sit idle; instead the reader hands the block's data to
 * the sessions in turn, in chunks of whole lines. The table is then loaded without FREEZE (the
 * TRUNCATE it needs would lock the other sessions out); its first index build sets the hint bits.
 *
 * Nothing about the verification changes: the caller checksums the bytes as read, before they
 * are cut, which are exactly the bytes sent, and the row count is the sum of the server's counts.
 * The server numbers a rejected row's line within its own session's share of the data; the error
 * is given the line within the whole block instead, so the message names the line of the file.
 */
import type { Writable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import { asServerError, copyDataLine } from '../messages.js';
import type { ServerSession } from '../server-session.js';

/** Bytes a session takes before the next one's turn: large enough that switching costs nothing. */
const CHUNK_BYTES = 1 << 20;

interface Share {
  stream: Writable & { rowCount: number };
  done: Promise<void>;
  /** Where each chunk it was given starts: lines of this share and lines of the block before it. */
  chunks: { shareLine: number; blockLine: number }[];
  /** Lines given to it in its finished chunks. */
  lines: number;
}

/**
 * Streams `data` (slices of the block as read) into `sql` (a `COPY ... FROM stdin` without
 * FREEZE), in turns, on `loader` and on the sessions `join()` hands over (asked at every turn);
 * `linesRead()` counts the block's lines in the slices taken so far. Returns the rows loaded.
 * On a failure the other sessions are left inside their COPY: the caller cancels every job session.
 */
export async function splitCopy(loader: ServerSession, join: () => ServerSession[], sql: string, data: AsyncIterable<Buffer> | Iterable<Buffer>, linesRead: () => number): Promise<number> {
  let failure: { err: unknown; share: Share } | null = null;
  let signalFailure: () => void = () => undefined;
  const failed = new Promise<void>((resolve) => (signalFailure = resolve));
  const open = (session: ServerSession): Share => {
    const stream = session.client.query(copyFrom(sql));
    const share: Share = { stream, done: Promise.resolve(), chunks: [], lines: 0 };
    share.done = new Promise<void>((resolve) => {
      stream.on('finish', resolve);
      stream.on('error', (err: unknown) => {
        failure ??= { err, share };
        signalFailure();
      });
    });
    return share;
  };
  const shares = [open(loader)];
  let current = shares[0] as Share;
  current.chunks.push({ shareLine: 0, blockLine: 0 });
  let turn = 0;
  let given = 0;
  let linesBefore = 0; // the block's lines that end before the current slice
  // A failed session's stream must not be written to again (its connection is gone): check first.
  const check = (): void => {
    if (failure) throw onBlockLines(failure);
  };
  const give = async (bytes: Buffer): Promise<void> => {
    given += bytes.length;
    check();
    if (bytes.length > 0 && !current.stream.write(bytes)) await Promise.race([new Promise((resolve) => current.stream.once('drain', resolve)), failed]);
    check();
  };
  for await (const slice of data) {
    const nl = given >= CHUNK_BYTES ? slice.indexOf(0x0a) : -1;
    if (nl >= 0) {
      // The next session's turn starts after the first line that ends in this slice.
      await give(slice.subarray(0, nl + 1));
      const cut = linesBefore + 1;
      current.lines += cut - (current.chunks[current.chunks.length - 1]?.blockLine ?? 0);
      shares.push(...join().map(open)); // sessions that have become idle take turns from now on
      turn = (turn + 1) % shares.length;
      current = shares[turn] as Share;
      current.chunks.push({ shareLine: current.lines, blockLine: cut });
      given = 0;
      await give(slice.subarray(nl + 1));
    } else await give(slice);
    linesBefore = linesRead();
  }
  check();
  for (const share of shares) share.stream.end();
  await Promise.race([Promise.all(shares.map((s) => s.done)), failed]);
  check();
  return shares.reduce((n, s) => n + s.stream.rowCount, 0);
}

/** A rejected row's `COPY t, line N` counted in the whole block instead of in the session's share. */
function onBlockLines(failure: { err: unknown; share: Share }): unknown {
  const { err, share } = failure;
  const se = asServerError(err);
  const n = copyDataLine(se?.where);
  if (!se?.where || n === null) return err;
  const chunk = share.chunks.filter((c) => c.shareLine < n).pop();
  if (!chunk) return err;
  // The server's own text, with the line counted in the whole block, which copyError maps to the file.
  (err as { where?: string }).where = se.where.replace(/^(COPY [^,]+, line )\d+/, `$1${chunk.blockLine + n - chunk.shareLine}`);
  return err;
}
