/**
 * The dump's data section: one COPY block per kept table. When tokens are re-encrypted, the
 * tables that hold them are read first and kept in memory while the others stream, then
 * written last (held-tables.ts); one too big for the budget streams at once instead.
 */
import type pg from 'pg';
import { ExporterError } from '../errors.js';
import { copyColumns, renderCopyHeader } from './ddl.js';
import { BackgroundRewrite, finishInPlace, HeldTable } from './held-tables.js';
import { encryptedColumnsOf } from '../legacy/fief-schema.js';
import { CopyRowRewriter, type Reencryptor } from './reencrypt.js';
import type { Table } from '../legacy/schema-catalog.js';
import { countedBlock, startCopy, tableData, type ChunkProgress, type TableTally } from './table-data.js';
import type { DumpPlan, DumpSummary } from './plan.js';

type Output = AsyncGenerator<string | Buffer>;
type Progress = (p: { table: string; rows: number; bytes: number }) => void;

export async function* dataSection(client: pg.Client, plan: DumpPlan, summary: DumpSummary, onProgress?: Progress): Output {
  const { catalog, targetSchema: target, reencryptor } = plan;
  const tally = (t: TableTally): void => void summary.tables.push(t);
  const progress = (t: Table): ChunkProgress => (rows, bytes) => onProgress?.({ table: t.name, rows, bytes });
  const kept = catalog.tables.filter((t) => !plan.pruned.has(t.name));
  const withTokens = reencryptor ? kept.filter((t) => encryptedColumnsOf(t, plan.prefix).length > 0) : [];

  const held: { t: Table; table: HeldTable }[] = [];
  let budget = plan.holdBudgetBytes;
  for (const t of withTokens) {
    const table = yield* inTableContext(t, holdOrStream(client, plan, t, reencryptor as Reencryptor, budget, tally, progress(t)));
    if (table) {
      held.push({ t, table });
      budget -= table.bytes;
    }
  }
  const tables = held.map((h) => h.table);

  const background = new BackgroundRewrite(tables);
  try {
    for (const t of kept) {
      if (withTokens.includes(t)) continue;
      yield renderCopyHeader(target, t);
      const block = tableData(client, catalog.schema, t, tally, plan.runs, progress(t));
      yield* inTableContext(t, alongsideBackground(background, plan.runs.runBytes, block));
      yield '\\.\n\n';
    }
  } finally {
    // Also when the consumer goes away: no background work outlives the export.
    background.stop();
  }

  // Emptied as they are written: a written table's buffers are no longer reachable from here.
  tables.length = 0;
  for (let next = held.shift(); next; next = held.shift()) {
    const { t, table } = next;
    await finishInPlace(table);
    yield renderCopyHeader(target, t);
    yield* inTableContext(t, countedBlock(t.name, table.output(), () => table.rows, null, tally, progress(t)));
    yield '\\.\n\n';
  }
}

function rowRewriter(t: Table, prefix: string, reencryptor: Reencryptor): CopyRowRewriter {
  return new CopyRowRewriter(t.name, copyColumns(t), encryptedColumnsOf(t, prefix), (v) => reencryptor.reencrypt(v));
}

/**
 * Reads a table with tokens into memory and returns it, or, once it outgrows `budget`, writes
 * its COPY block right away (re-encrypting inline, the server waiting) and returns null.
 */
async function* holdOrStream(
  client: pg.Client,
  plan: DumpPlan,
  t: Table,
  reencryptor: Reencryptor,
  budget: number,
  tally: (t: TableTally) => void,
  onChunk: ChunkProgress,
): AsyncGenerator<string | Buffer, HeldTable | null> {
  const source = startCopy(client, plan.catalog.schema, t, plan.runs);
  const table = new HeldTable(t.name, copyColumns(t), encryptedColumnsOf(t, plan.prefix), (v) => reencryptor.reencrypt(v));
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  for (let next = await chunks.next(); !next.done; next = await chunks.next()) {
    if (table.bytes + next.value.length <= budget) {
      table.add(next.value);
      continue;
    }
    yield renderCopyHeader(plan.targetSchema, t);
    const all = rest([...table.chunks, next.value], chunks);
    yield* countedBlock(t.name, all, () => source.rowCount, rowRewriter(t, plan.prefix, reencryptor), tally, onChunk);
    yield '\\.\n\n';
    return null;
  }
  table.rows = source.rowCount;
  return table;
}

/**
 * `block`, with the background passes running once it has handed on a full run (a table large
 * enough that the server is busy streaming it) and paused when it ends (a COPY stream only
 * hands on a run when it is full or at the end of the table); stopped as soon as a pass has
 * met a token that does not decrypt, instead of after every other table.
 */
async function* alongsideBackground(background: BackgroundRewrite, runBytes: number, block: AsyncGenerator<Buffer>): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of block) {
      if (chunk.length >= runBytes) background.start();
      yield chunk;
      const failure = background.failure;
      if (failure) throw failure;
    }
  } finally {
    background.pause();
  }
}

/** `first`, then what `more` has left; closes `more` if the consumer stops early. */
async function* rest(first: Buffer[], more: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  let finished = false;
  try {
    yield* first;
    for (let next = await more.next(); !next.done; next = await more.next()) yield next.value;
    finished = true;
  } finally {
    if (!finished) await more.return?.();
  }
}

async function* inTableContext<T>(t: Table, block: AsyncGenerator<string | Buffer, T>): AsyncGenerator<string | Buffer, T> {
  try {
    return yield* block;
  } catch (err) {
    if (err instanceof ExporterError) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw new ExporterError('EXPORT_FAILED', `export failed while dumping table ${t.name}: ${reason}`, { cause: err });
  }
}
