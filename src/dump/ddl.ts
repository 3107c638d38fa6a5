/**
 * Renders catalog entries as SQL for the target schema. The dump sets search_path to the
 * target schema first, so definitions read under the source's search_path (names of the
 * source schema unqualified) resolve into the target: no schema name is ever text-replaced.
 */
import { quoteIdent, quoteLiteral, quoteQualified as qualified } from '../db/connection.js';
import type { Constraint, EnumType, Table } from '../legacy/schema-catalog.js';

export function renderEnum(target: string, e: EnumType): string {
  const labels = e.labels.map((l) => `    ${quoteLiteral(l)}`).join(',\n');
  return `CREATE TYPE ${qualified(target, e.name)} AS ENUM (\n${labels}\n);\n\n`;
}

export function renderCreateTable(target: string, t: Table): string {
  const columns = t.columns.map((c) => {
    let line = `    ${quoteIdent(c.name)} ${c.type}`;
    if (c.collation) line += ` COLLATE ${c.collation}`;
    if (c.generated !== null) line += ` GENERATED ALWAYS AS (${c.generated}) STORED`;
    else if (c.default !== null) line += ` DEFAULT ${c.default}`;
    if (c.notNull) line += ' NOT NULL';
    return line;
  });
  return `CREATE TABLE ${qualified(target, t.name)} (\n${columns.join(',\n')}\n);\n\n`;
}

/** Columns COPY can write: generated columns are computed by the target. */
export function copyColumns(t: Table): string[] {
  return t.columns.filter((c) => c.generated === null).map((c) => c.name);
}

export function renderCopyHeader(target: string, t: Table): string {
  return `COPY ${qualified(target, t.name)} (${copyColumns(t).map(quoteIdent).join(', ')}) FROM stdin;\n`;
}

export function renderConstraint(target: string, t: Table, c: Constraint): string {
  return `ALTER TABLE ONLY ${qualified(target, t.name)}\n    ADD CONSTRAINT ${quoteIdent(c.name)} ${c.definition};\n\n`;
}

export function renderComments(target: string, t: Table): string {
  let out = '';
  if (t.comment !== null) out += `COMMENT ON TABLE ${qualified(target, t.name)} IS ${quoteLiteral(t.comment)};\n`;
  for (const c of t.columns) {
    if (c.comment !== null) out += `COMMENT ON COLUMN ${qualified(target, t.name)}.${quoteIdent(c.name)} IS ${quoteLiteral(c.comment)};\n`;
  }
  return out;
}

/** Order of the post-data section, as pg_dump does: keys and checks, indexes, then foreign keys. */
export function renderPostData(target: string, tables: Table[]): string[] {
  const out: string[] = [];
  for (const t of tables) {
    for (const c of t.constraints) if (c.kind !== 'f') out.push(renderConstraint(target, t, c));
  }
  for (const t of tables) {
    for (const i of t.indexes) {
      out.push(`CREATE ${i.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdent(i.name)} ON ${qualified(target, t.name)} USING ${i.method};\n\n`);
    }
  }
  for (const t of tables) {
    for (const c of t.constraints) if (c.kind === 'f') out.push(renderConstraint(target, t, c));
  }
  for (const t of tables) {
    const comments = renderComments(target, t);
    if (comments) out.push(comments + '\n');
  }
  return out;
}
