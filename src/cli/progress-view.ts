/**
 * Draws the import's progress on a terminal and redraws it in place: the overall line, plus one
 * line per table when several load at once (a parallel import), cleared before anything else
 * is printed so that messages never mix with it.
 */
import type { ImportProgress } from '../restore/index.js';
import { formatProgressLines, RateMeter } from '../restore/progress.js';
import { untrusted } from './io.js';

const CLEAR_TO_END = '\x1b[J';

export class ProgressView {
  private readonly rate = new RateMeter();
  /** Lines drawn last time; the cursor sits at the end of the last one. */
  private height = 0;

  constructor(private readonly out: NodeJS.WriteStream) {}

  show(p: ImportProgress): void {
    const width = this.out.columns > 10 ? this.out.columns - 1 : 79;
    // Table names come from the file: no control character of theirs reaches the terminal.
    const lines = formatProgressLines(p, this.rate.update(p.rows, p.seconds), width).map(untrusted);
    this.out.write(`${this.home()}${CLEAR_TO_END}${lines.join('\n')}`);
    this.height = lines.length;
  }

  clear(): void {
    if (this.height > 0) this.out.write(`${this.home()}${CLEAR_TO_END}`);
    this.height = 0;
  }

  /** Back to the start of the first line drawn. */
  private home(): string {
    return `${this.height > 1 ? `\x1b[${this.height - 1}A` : ''}\r`;
  }
}
