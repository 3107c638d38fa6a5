/**
 * Replays a script on the server with `psql -1 -v ON_ERROR_STOP=1` semantics: stop at the first
 * error; in single-transaction mode everything runs in our own transaction, which is only
 * committed after the end of the script and after our format's verification.
 *
 * Transaction control in the script (our dumps carry their own BEGIN; ... COMMIT;):
 * - single-transaction (default): BEGIN / START TRANSACTION are no-ops inside our transaction;
 *   COMMIT / END is the verification point (our format is checked there) but does not commit:
 *   the one COMMIT is ours, after the last line, so a failure anywhere rolls everything back.
 *   ROLLBACK, ABORT and PREPARE TRANSACTION would end our transaction and are refused.
 * - `--no-single-transaction`: statements go to the server as written (psql without -1); a
 *   COMMIT is still held until our format's verification passed.
 */
import { ExporterError } from '../errors.js';
import { CopyHasher } from './copy-hasher.js';
import { DumpFormat } from './dump-format.js';
import { asServerError, firstLine } from './messages.js';
import { MetaCommands } from './meta-commands.js';
import type { ScriptReader } from './script-reader.js';
import type { ServerSession } from './server-session.js';
import { copyTarget, insertTarget, statementKind, type StatementKind } from './statement-kind.js';
import { copyError, decode, statementError, type Statement } from './replay-errors.js';
import { StatementBatch } from './statement-batch.js';
import { statementPhase, type ImportJob, type ImportPhase } from './phase.js';
import { StatementPolicy } from './statement-policy.js';
import { prepareCurrentTarget } from './target.js';

export interface ReplayOptions {
  singleTransaction: boolean;
  clean: boolean;
  /** Called as work proceeds: the current table (during COPY) and rows loaded so far; `phase` and `jobs` say more. */
  onActivity?: (table: string | null, rows: number) => void;
}

export class Replay {
  readonly format = new DumpFormat();
  private readonly meta = new MetaCommands();
  private readonly policy = new StatementPolicy(this.format);
  statements = 0;
  /** Tables that COPY blocks or INSERT statements loaded. */
  private readonly loaded = new Set<string>();
  private copyRows = 0;
  dropped: string[] = [];
  /** Something durable may have been committed (only possible with --no-single-transaction). */
  committed = false;
  /** What the replay is doing (for progress); `step` counts the statements of the phase so far. */
  phase: ImportPhase = 'schema';
  step = 0;
  private loading: string | null = null;
  private targetReady = false;
  private readonly batch: StatementBatch;

  constructor(
    private readonly server: ServerSession,
    private readonly reader: ScriptReader,
    private readonly opts: ReplayOptions,
  ) {
    this.batch = new StatementBatch(server, (err, item, position) => statementError(err, item.line, item.text, position));
  }

  async run(): Promise<void> {
    if (this.opts.singleTransaction) await this.server.execute('BEGIN');
    for (;;) {
      this.reader.sql.standardStrings = this.server.standardStrings;
      const ev = await this.reader.next();
      this.opts.onActivity?.(null, this.rows); // throttled by the receiver
      if (ev.kind === 'comment') {
        this.format.comment(ev.text.toString('utf8'), ev.line);
        if (ev.line === 2) this.policy.announced(this.statements);
        continue;
      }
      if (ev.kind === 'statement' && this.batchable(ev)) {
        await this.batched(ev);
        continue;
      }
      await this.batch.flush(); // everything else happens after the INSERTs before it
      if (ev.kind === 'end') break;
      if (ev.kind === 'meta') this.meta.handle(ev.text, ev.line);
      else await this.statement(ev);
    }
    await this.finish();
  }

  get tables(): number {
    return this.loaded.size;
  }

  /** Rows loaded so far: COPY data and INSERT statements alike. */
  get rows(): number {
    return this.copyRows + this.server.insertedRows;
  }

  private noteInsert(text: string): void {
    const target = insertTarget(text);
    if (target) this.loaded.add(target.table);
  }

  /** Single-transaction INSERTs go to the server in batches (see statement-batch.ts). */
  private batchable(ev: Statement): boolean {
    const [part, ...more] = ev.parts;
    return this.opts.singleTransaction && ev.complete && more.length === 0 && part?.words[0] === 'insert' && part.copy === null;
  }

  private async batched(ev: Statement): Promise<void> {
    const text = decode(ev);
    this.policy.check(text, ev.line, this.server.standardStrings);
    this.statements++;
    await this.ensureTarget();
    this.noteInsert(text);
    await this.batch.add({ text, line: ev.line });
    this.check(ev.line, text, 'other');
  }

  private async statement(ev: Statement): Promise<void> {
    const text = decode(ev);
    const kind = statementKind(ev.parts);
    if (kind === null) {
      throw new ExporterError('IMPORT_PARSE_ERROR', `line ${ev.line}: transaction control or COPY inside a \\; compound query is not supported`);
    }
    if (!ev.complete && this.format.ours) {
      throw new ExporterError('IMPORT_TRUNCATED', `the dump ends at line ${ev.line} in the middle of a statement: it is truncated`);
    }
    this.policy.check(text, ev.line, this.server.standardStrings);
    this.statements++;
    const single = this.opts.singleTransaction;
    if (kind === 'begin' && single) return; // we already hold the transaction
    if (kind === 'commit') {
      if (this.format.ours) this.verify(ev.line);
      this.policy.committed(ev.line);
      if (single) return; // the real COMMIT comes after the last line
    }
    if ((kind === 'rollback' || kind === 'prepare') && single) {
      throw new ExporterError(
        'IMPORT_FAILED',
        `line ${ev.line}: ${firstLine(text)} would end the import's transaction; replay this script with --no-single-transaction`,
      );
    }
    if (kind === 'copy-out') throw new ExporterError('IMPORT_FAILED', `line ${ev.line}: COPY ... TO STDOUT has no place in an import`);
    if (kind === 'other' || kind === 'copy-in') await this.ensureTarget();
    if (kind === 'other') this.enter(statementPhase(ev.parts[0]?.words ?? [], text));
    if (kind === 'copy-in') await this.copy(ev, text);
    else {
      try {
        await this.server.execute(text);
        if (ev.parts[0]?.words[0] === 'insert') this.noteInsert(text);
      } catch (err) {
        throw statementError(err, ev.line, text, asServerError(err)?.position);
      }
    }
    this.check(ev.line, text, kind);
  }

  private async copy(ev: Statement, text: string): Promise<void> {
    const target = copyTarget(text);
    const table = target?.table ?? '?';
    const kind = this.format.checksum;
    const hasher = kind ? new CopyHasher(kind.create()) : null;
    const activity = this.opts.onActivity;
    this.loading = table;
    this.enter('loading');
    const data = this.reader.copyData((slice) => {
      hasher?.update(slice);
      activity?.(target?.written ?? table, this.rows + this.reader.copyLines);
    });
    let rows: number;
    try {
      rows = await this.server.copyIn(text, data);
    } catch (err) {
      throw copyError(err, ev, text, this.reader.copyStartLine, target?.written ?? table);
    }
    this.loaded.add(table);
    this.copyRows += rows;
    this.format.loadedBlock({ table, rows, checksum: hasher ? hasher.digest() : null, line: ev.line });
    this.loading = null;
    activity?.(null, this.rows);
  }

  /** The tables loading now, with their rows so far (one at most: statements run in order). */
  get jobs(): ImportJob[] {
    return this.loading === null ? [] : [{ table: this.loading, rows: this.reader.copyLines }];
  }

  /** Moves to `phase` (null: stays), counting its statements, and says so at once. */
  enter(phase: ImportPhase | null): void {
    if (phase === null) return;
    if (phase !== this.phase) this.step = 0;
    if (phase !== 'loading') this.step++;
    this.phase = phase;
    this.opts.onActivity?.(this.loading, this.rows);
  }

  private verify(line: number): void {
    this.enter('verifying');
    this.format.verify(line);
  }

  /** After each statement: what psql would notice, and what would break our guarantees. */
  private check(line: number, text: string, kind: StatementKind): void {
    if (!this.server.utf8) {
      throw new ExporterError('IMPORT_FAILED', `line ${line}: the script switches client_encoding to ${this.server.clientEncoding}; only UTF8 scripts can be imported`);
    }
    const status = this.server.txStatus;
    if (this.opts.singleTransaction && status !== 'transaction') {
      throw new ExporterError('IMPORT_FAILED', `line ${line}: ${firstLine(text)} ended the import's transaction; earlier statements may have been committed`);
    }
    if (!this.opts.singleTransaction && status === 'idle' && kind !== 'session') this.committed = true;
  }

  /**
   * The one COMMIT of a single-transaction import. The caller runs it only once the whole input
   * pipeline has succeeded: a truncated gzip can end the decompressed stream cleanly and report
   * its error just after, and that error must still roll everything back.
   */
  async commit(): Promise<void> {
    if (!this.opts.singleTransaction) return;
    await this.server.execute('COMMIT');
    this.committed = true;
  }

  private async ensureTarget(): Promise<void> {
    if (this.targetReady) return;
    this.targetReady = true;
    this.dropped = await prepareCurrentTarget(this.server.client, this.opts.clean);
  }

  private async finish(): Promise<void> {
    this.meta.finish();
    if (this.statements === 0) {
      throw new ExporterError('IMPORT_PARSE_ERROR', this.reader.bytesRead === 0 ? 'the input is empty' : 'the input holds no SQL statements');
    }
    if (this.format.ours) this.verify(this.reader.line);
    this.policy.finish(this.reader.line);
    await this.ensureTarget();
    if (!this.opts.singleTransaction && this.server.txStatus !== 'idle') {
      throw new ExporterError('IMPORT_FAILED', 'the script ends inside a transaction it opened without committing it (psql would discard it silently)');
    }
  }
}
