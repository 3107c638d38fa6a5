/**
 * Runs the post-data statements (keys, indexes, foreign keys, comments) of the staged tables on
 * the free job sessions, as many at once as there are jobs. A statement starts once its table
 * is loaded, never beside a statement whose lock it would wait for (CREATE INDEX shares its
 * table; ALTER TABLE does not, and a foreign key locks both tables, so no two jobs can deadlock),
 * and a foreign key only once both tables have their keys and indexes (it needs the referenced
 * key, and is validated against finished tables). The largest table goes first: its index
 * builds are the longest. The first failure stops everything.
 */
import type { Job } from './jobs.js';

export interface PostTask {
  table: string;
  references: string | null;
  exclusive: boolean;
  label: string;
  text: string;
  line: number;
}

type RunTask = (job: Job, task: PostTask) => Promise<void>;

export class PostDataScheduler {
  private readonly queue: PostTask[] = [];
  private readonly free: Job[] = [];
  private readonly loaded = new Map<string, number>(); // table -> COPY bytes (its weight)
  private readonly pendingKeys = new Map<string, number>(); // table -> non-FK tasks not finished
  private readonly shared = new Map<string, number>();
  private readonly exclusive = new Set<string>();
  private readonly created = new Set<string>();
  /** The tasks running now. */
  private readonly running = new Set<PostTask>();
  private failure: unknown = null;
  private allAdded = false;
  private tasksKnown = false;
  private settle: { resolve: () => void; reject: (err: unknown) => void } | null = null;

  constructor(private readonly runTask: RunTask) {}

  /** A job session that may take post-data work now. */
  addJob(job: Job): void {
    this.free.push(job);
    this.pump();
  }

  /**
   * The job sessions idle now (no task could run on them) for another use; handed back with
   * addJob. Tasks only become ready as tables load, so with the reader busy they would idle.
   */
  lendIdle(): Job[] {
    return this.failure === null ? this.free.splice(0) : [];
  }

  /** The work the jobs have now (COPY bytes of the tables of running and runnable tasks). */
  backlog(): number {
    let sum = 0;
    for (const t of this.running) sum += this.weight(t);
    return this.queue.reduce((n, t) => n + (this.ready(t) ? this.weight(t) : 0), sum);
  }

  add(task: PostTask): void {
    this.queue.push(task);
    if (task.references === null) this.pendingKeys.set(task.table, (this.pendingKeys.get(task.table) ?? 0) + 1);
    this.pump();
  }

  /** A table with no COPY block is ready once the whole script has been read. */
  tableCreated(table: string): void {
    this.created.add(table);
  }

  tableLoaded(table: string, bytes: number): void {
    this.loaded.set(table, bytes);
    this.pump();
  }

  /** Every task has been added (read ahead): foreign keys need not wait for the end of the script. */
  allTasksKnown(): void {
    this.tasksKnown = true;
  }

  /** Resolves when every task added has run (call once the script has been read to its end). */
  drain(): Promise<void> {
    this.allAdded = true;
    for (const t of [...this.created, ...this.queue.map((q) => q.table)]) if (!this.loaded.has(t)) this.loaded.set(t, 0);
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      this.pump();
    });
  }

  get failed(): unknown {
    return this.failure;
  }

  private ready(t: PostTask): boolean {
    if (!this.loaded.has(t.table)) return false;
    if (t.references === null) return true;
    if (!this.loaded.has(t.references) && t.references !== t.table) return false;
    // Keys of either table may still be read from the script until its end.
    return (this.allAdded || this.tasksKnown) && !this.pendingKeys.get(t.table) && !this.pendingKeys.get(t.references);
  }

  private lockable(t: PostTask): boolean {
    const tables = t.references === null ? [t.table] : [t.table, t.references];
    return tables.every((name) => !this.exclusive.has(name) && (!t.exclusive || !this.shared.get(name)));
  }

  private pump(): void {
    while (this.failure === null && this.free.length > 0) {
      const next = this.pick();
      if (next === null) break;
      this.start(this.free.pop() as Job, next);
    }
    if (!this.settle) return;
    if (this.failure !== null && this.running.size === 0) this.settle.reject(this.failure);
    else if (this.failure === null && this.running.size === 0 && this.queue.length === 0) this.settle.resolve();
  }

  private pick(): PostTask | null {
    let best = -1;
    for (let k = 0; k < this.queue.length; k++) {
      const t = this.queue[k] as PostTask;
      if (!this.ready(t) || !this.lockable(t)) continue;
      if (best < 0 || this.weight(t) > this.weight(this.queue[best] as PostTask)) best = k;
    }
    return best < 0 ? null : (this.queue.splice(best, 1)[0] as PostTask);
  }

  private weight(t: PostTask): number {
    return this.loaded.get(t.table) ?? 0;
  }

  private start(job: Job, task: PostTask): void {
    const tables = task.references === null ? [task.table] : [task.table, task.references];
    for (const name of tables) {
      if (task.exclusive) this.exclusive.add(name);
      else this.shared.set(name, (this.shared.get(name) ?? 0) + 1);
    }
    this.running.add(task);
    job.task = `${task.label} on ${task.table}`;
    this.runTask(job, task).then(
      () => {
        if (task.references === null) this.pendingKeys.set(task.table, (this.pendingKeys.get(task.table) ?? 1) - 1);
      },
      (err: unknown) => {
        this.failure ??= err;
      },
    ).finally(() => {
      for (const name of tables) {
        if (task.exclusive) this.exclusive.delete(name);
        else this.shared.set(name, (this.shared.get(name) ?? 1) - 1);
      }
      this.running.delete(task);
      job.task = null;
      this.free.push(job);
      this.pump();
    });
  }
}
