/**
 * The post-data statements of a parallel load and where they come from: as the reader meets
 * them, or (uncompressed files) looked ahead at from the end of the file before the data, so
 * that keys and indexes are built while later tables load. Looked-ahead statements must then be
 * met by the reader in the same order and with the same text; anything else means the file is
 * not what was looked at, and the load stops.
 */
import { ExporterError } from '../../errors.js';
import { asServerError } from '../messages.js';
import { statementError } from '../replay-errors.js';
import type { Job } from './jobs.js';
import type { LayoutStep, OurLayout } from './layout.js';
import type { TailStatement } from './post-data-tail.js';
import { PostDataScheduler, type PostTask } from './scheduler.js';

type PostStep = Extract<LayoutStep, { kind: 'post' }>;

export class PostData {
  readonly scheduler = new PostDataScheduler((job, task) => this.run(job, task));
  private ahead: PostTask[] = [];

  /**
   * Queues the statements of the file's tail; false (nothing queued) if they are not all ours
   * or one would be refused (`refused`: the import's statement policy, which the reader applies
   * again when it meets them), or one follows the COMMIT.
   */
  lookAhead(tail: TailStatement[], layout: OurLayout, refused: (text: string) => boolean): boolean {
    const tasks: PostTask[] = [];
    let committed = false;
    try {
      for (const s of tail) {
        if (committed || refused(s.text)) return false;
        const step = layout.step(s.kind, s.text, 0);
        if (step.kind === 'post') tasks.push({ ...step, line: 0 });
        committed = step.kind === 'commit';
      }
    } catch {
      return false; // the reader meets them in order and reports what is wrong with its line
    }
    this.ahead = tasks;
    for (const t of tasks) this.scheduler.add(t);
    this.scheduler.allTasksKnown();
    return true;
  }

  /** The reader met a post-data statement. */
  met(step: PostStep, line: number): void {
    this.check();
    if (this.ahead.length === 0) return this.scheduler.add({ ...step, line });
    const expected = this.ahead.shift() as PostTask;
    if (expected.text !== step.text) throw changed(line);
    expected.line = line; // for its error message, if it has not run yet
  }

  /** The reader is at the end of the file. */
  finish(line: number): void {
    if (this.ahead.length > 0) throw changed(line);
  }

  /** A job's failure stops the reader too, at its next step. */
  check(): void {
    const failed = this.scheduler.failed;
    if (failed !== null) throw failed instanceof Error ? failed : new Error('a job session failed', { cause: failed });
  }

  private async run(job: Job, task: PostTask): Promise<void> {
    try {
      await job.server.execute(task.text);
    } catch (err) {
      const e = statementError(err, task.line, task.text, asServerError(err)?.position);
      // Looked ahead at and run before the reader got there: its line is not known yet.
      throw task.line > 0 ? e : new ExporterError(e.code, e.message.replace(/^line \d+: /, 'in the post-data section: '), { cause: err });
    }
  }
}

function changed(line: number): ExporterError {
  return new ExporterError('IMPORT_FAILED', `line ${line}: the file's post-data section differs from what was read ahead at its end: the file changed while it was read`);
}
