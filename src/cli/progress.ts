/** A one-line progress display on stderr, only when stderr is a terminal. */
import { formatBytes } from '../format.js';
import { untrusted } from './io.js';

export interface Progress {
  update: (p: { table: string; rows: number; bytes: number }) => void;
  done: () => void;
}

export function progressReporter(stderr: NodeJS.WritableStream): Progress {
  const tty = (stderr as NodeJS.WriteStream).isTTY === true;
  let last = 0;
  let total = 0;
  let shown = false;
  let lastTable = '';
  let tableBase = 0;
  return {
    update: ({ table, bytes }) => {
      if (!tty) return;
      if (table !== lastTable) {
        tableBase = total;
        lastTable = table;
      }
      total = tableBase + bytes;
      const now = Date.now();
      if (now - last < 200) return;
      last = now;
      shown = true;
      stderr.write(`\r\x1b[K${untrusted(table)}  ${formatBytes(total)}`);
    },
    done: () => {
      if (shown) stderr.write('\r\x1b[K');
    },
  };
}
