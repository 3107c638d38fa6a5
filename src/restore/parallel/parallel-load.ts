/**
 * The parallel load of a dump of ours (docs/import.md, "Parallel load"). The script is read
 * once, in order: types and tables are created in a private staging schema (committed, so every
 * job session sees them), each COPY block streams into its staged table on a job session
 * (`COPY ... FREEZE` after a TRUNCATE in the same transaction: the rows need no hint-bit pass
 * when indexes and keys read them next; the first large table is shared by the idle sessions
 * instead, block-load.ts), and the keys, indexes and foreign keys run on the job
 * sessions in parallel as their tables become ready. `commit()` then moves everything into
 * the target in one short transaction after the dump's verification; `abort()` cancels the
 * jobs and drops the staging schema, so the target is never touched by a failed load.
 */
import type { ClientConfig } from '../../db/connection.js';
import { ExporterError } from '../../errors.js';
import { CopyHasher } from '../copy-hasher.js';
import { DumpFormat } from '../dump-format.js';
import { MetaCommands } from '../meta-commands.js';
import { asServerError } from '../messages.js';
import { copyError, decode, statementError, type Statement } from '../replay-errors.js';
import type { ScriptEvent, ScriptReader } from '../script-reader.js';
import type { ServerSession } from '../server-session.js';
import { StatementPolicy } from '../statement-policy.js';
import { prepareTarget } from '../target.js';
import { statementKind } from '../statement-kind.js';
import { BlockLoader } from './block-load.js';
import { cancelJobs, closeJobs, openJobs, type Job } from './jobs.js';
import { NotOurLayout, OurLayout, type LayoutStep } from './layout.js';
import { moveIntoTarget } from './move.js';
import { PostData } from './post-data.js';
import type { PostDataTail } from './post-data-tail.js';
import { createStaging, dropStaging, newStagingName } from './staging.js';

export interface ParallelOptions {
  database: ClientConfig;
  jobs: number;
  clean: boolean;
  /** The file's post-data statements, read ahead from its end (uncompressed files only). */
  tail?: PostDataTail | null;
  /** Called as work proceeds: the table the reader streams, and rows loaded so far. */
  onActivity?: (table: string | null, rows: number) => void;
}

export class ParallelLoad {
  readonly format: DumpFormat;
  private readonly meta = new MetaCommands();
  readonly staging = newStagingName();
  private readonly layout = new OurLayout(this.staging);
  private readonly settings: string[] = [];
  private readonly post = new PostData();
  /** The allow-list of our dumps and the statement guard, exactly as the replay applies them. */
  private readonly policy: StatementPolicy;
  private readonly scheduler = this.post.scheduler;
  private jobs: Job[] = [];
  private blocks: BlockLoader | null = null;
  private stagingCreated = false;
  /** Events read before anything was staged: handed back if the dump is not of our layout. */
  private prelude: ScriptEvent[] | null = [];
  private createSchema: string | null = null;
  private interrupted = false;
  statements = 0;
  tables = 0;
  rows = 0;
  dropped: string[] = [];
  committed = false;

  constructor(
    private readonly server: ServerSession,
    private readonly reader: ScriptReader,
    private readonly opts: ParallelOptions,
    format: DumpFormat,
  ) {
    this.format = format;
    this.policy = new StatementPolicy(format);
  }

  get jobCount(): number {
    return this.opts.jobs;
  }

  /** What each job session is doing, for the progress display. */
  jobActivity(): { job: number; task: string | null }[] {
    return this.jobs.map((j) => ({ job: j.id, task: j.task }));
  }

  /** Resolves once the COPY data written so far has left the process (see pooled-file.ts). */
  flushed(): Promise<void> {
    return this.blocks ? this.blocks.flushed() : this.server.flushed();
  }

  /**
   * Loads the script into the staging schema. Returns false, having handed back what it read,
   * when the script leaves our layout before anything was staged: the caller replays it instead.
   */
  async run(): Promise<boolean> {
    for (;;) {
      this.reader.sql.standardStrings = this.server.standardStrings;
      const ev = await this.reader.next();
      if (this.interrupted) throw new ExporterError('IMPORT_FAILED', 'interrupted');
      this.opts.onActivity?.(null, this.rows);
      if (ev.kind === 'end') break;
      this.prelude?.push({ ...ev, text: Buffer.from(ev.text) }); // the reader's buffers are reused
      if (ev.kind === 'comment') {
        this.format.comment(ev.text.toString('utf8'), ev.line);
        if (ev.line === 2) this.policy.announced(this.statements);
      } else if (ev.kind === 'meta') this.meta.handle(ev.text, ev.line);
      else if (!(await this.statement(ev))) {
        this.reader.pushBack(...(this.prelude ?? []));
        return false;
      }
      if (this.stagingCreated) this.prelude = null;
    }
    this.meta.finish();
    this.policy.finish(this.reader.line);
    this.post.finish(this.reader.line);
    if (this.format.ours) this.format.verify(this.reader.line);
    if (this.blocks) this.scheduler.addJob(this.blocks.loader); // the reader is done: one more builder
    this.blocks = null;
    // The reader is done, the jobs are not: keep the progress display moving.
    const ticker = setInterval(() => this.opts.onActivity?.(null, this.rows), 250);
    await this.scheduler.drain().finally(() => clearInterval(ticker));
    return true;
  }

  /** False: not of our layout, and nothing staged yet. */
  private async statement(ev: Statement): Promise<boolean> {
    const text = decode(ev);
    const kind = statementKind(ev.parts);
    if (kind === null) throw new ExporterError('IMPORT_PARSE_ERROR', `line ${ev.line}: transaction control or COPY inside a \\; compound query is not supported`);
    if (!ev.complete) throw new ExporterError('IMPORT_TRUNCATED', `the dump ends at line ${ev.line} in the middle of a statement: it is truncated`);
    this.policy.check(text, ev.line, this.server.standardStrings);
    let step: LayoutStep;
    try {
      step = this.layout.step(kind, text, ev.line);
    } catch (err) {
      if (err instanceof NotOurLayout && !this.stagingCreated) return false;
      throw err;
    }
    this.statements++;
    switch (step.kind) {
      case 'session':
        this.settings.push(text);
        await this.execute(text, ev.line);
        break;
      case 'create-schema':
        this.createSchema = step.text;
        break;
      case 'commit':
        this.format.verify(ev.line);
        this.policy.committed(ev.line);
        break;
      case 'create-type':
      case 'create-table':
        await this.ensureStaging(ev.line);
        if (step.kind === 'create-table') this.scheduler.tableCreated(step.table);
        await this.execute(step.text, ev.line, text);
        break;
      case 'copy':
        await this.copy(ev, text, step);
        break;
      case 'post':
        this.post.met(step, ev.line);
        break;
      default: // begin, search_path: the staging sessions have their own; the move sets the target
    }
    return true;
  }

  private async execute(sql: string, line: number, original = sql): Promise<void> {
    try {
      await this.server.execute(sql);
    } catch (err) {
      throw statementError(err, line, original, undefined);
    }
  }

  /** Before the first object: the target's checks (fail before loading, not after), then the schema. */
  private async ensureStaging(line: number): Promise<void> {
    if (this.stagingCreated) return;
    const target = this.layout.target ?? '';
    if (!this.opts.clean) await prepareTarget(this.server.client, target, false);
    this.stagingCreated = true;
    await createStaging(this.server.client, this.staging);
    this.jobs = await openJobs(this.opts.database, this.opts.jobs, this.settings, this.staging).catch((err: unknown) => {
      throw statementError(err, line, 'opening the job sessions', undefined);
    });
    this.blocks = this.jobs[0] ? new BlockLoader(this.jobs[0], this.scheduler) : null;
    for (const job of this.jobs.slice(1)) this.scheduler.addJob(job);
    if (this.opts.tail) this.post.lookAhead(this.opts.tail.statements, this.layout, (text) => this.policy.refuses(text, this.server.standardStrings));
  }

  private async copy(ev: Statement, text: string, step: { table: string; relation: string; text: string }): Promise<void> {
    const table = step.table;
    if (!this.blocks) throw new ExporterError('IMPORT_FAILED', `line ${ev.line}: COPY into ${table} before its table was created`);
    const hasher = this.format.checksum ? new CopyHasher(this.format.checksum.create()) : null;
    let bytes = 0;
    const data = this.reader.copyData((slice) => {
      hasher?.update(slice);
      bytes += slice.length;
      this.opts.onActivity?.(table, this.rows + this.reader.copyLines);
    });
    let rows: number;
    try {
      const announcedRows = this.opts.tail?.rows.get(table);
      rows = await this.blocks.load({ table, relation: step.relation, copy: step.text, announcedRows, data, linesRead: () => this.reader.copyLines });
    } catch (err) {
      throw copyError(err, ev, text, this.reader.copyStartLine, table);
    }
    this.post.check();
    this.tables++;
    this.rows += rows;
    this.format.loadedBlock({ table, rows, checksum: hasher ? hasher.digest() : null, line: ev.line });
    this.scheduler.tableLoaded(table, bytes);
  }

  /** The one transaction that touches the target. */
  async commit(): Promise<void> {
    await closeJobs(this.jobs);
    this.jobs = [];
    const target = this.layout.target;
    if (target === null) throw new ExporterError('IMPORT_PARSE_ERROR', 'the dump creates no tables');
    this.dropped = await moveIntoTarget(this.server.client, { staging: this.staging, target, createSchema: this.createSchema, clean: this.opts.clean }, () => {
      if (this.format.ours) this.format.verify(this.reader.line);
      if (this.interrupted) throw new ExporterError('IMPORT_FAILED', 'interrupted');
    }).catch((err: unknown) => {
      throw asServerError(err) ? statementError(err, this.reader.line, `moving the loaded tables into schema ${target}`, undefined) : err;
    });
    this.committed = true;
  }

  /** Ctrl-C: the job sessions are cut at once; the reader stops at its next step. */
  interrupt(): void {
    this.interrupted = true;
    for (const job of this.jobs) job.client.connection.stream.destroy();
  }

  /** After any failure: nothing of ours stays in the database. */
  async abort(): Promise<void> {
    await cancelJobs(this.server.client, this.jobs);
    this.jobs = [];
    if (this.stagingCreated) await dropStaging(this.server.client, this.staging).catch(() => undefined);
  }
}
