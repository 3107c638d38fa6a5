/**
 * The statements of a dump of ours (docs/architecture.md, "Dump format"), recognised by their
 * head and moved into the staging schema. Our dump engine writes every created object as
 * `"<target>"."<name>"` and everything inside a definition unqualified (resolved through the
 * search_path), so only that one leading qualifier is exchanged, token by token, after checking
 * it names the dump's target; nothing else in the text is touched. A statement of any other
 * shape is not part of our layout and stops the parallel load (`--jobs 1` replays anything).
 */
import { ExporterError } from '../../errors.js';
import { quoteIdent } from '../../db/connection.js';
import type { StatementKind } from '../statement-kind.js';

export type LayoutStep =
  | { kind: 'session' | 'begin' | 'search-path' | 'commit' }
  | { kind: 'create-schema'; text: string }
  | { kind: 'create-type'; name: string; text: string }
  | { kind: 'create-table'; table: string; text: string }
  | { kind: 'copy'; table: string; relation: string; text: string }
  | { kind: 'post'; table: string; references: string | null; exclusive: boolean; label: string; text: string };

/** A statement outside our dump engine's layout: the parallel load cannot stage it. */
export class NotOurLayout extends ExporterError {
  constructor(line: number, why = "this statement is not part of a fief-exporter dump's layout") {
    super('IMPORT_FAILED', `line ${line}: ${why}, so the dump cannot be loaded in parallel; import it with --jobs 1`);
  }
}

const IDENT = '"(?:[^"]|"")*"';
const CREATE_SCHEMA = new RegExp(`^CREATE SCHEMA IF NOT EXISTS (${IDENT})$`);
const QUALIFIED = `(${IDENT})\\.(${IDENT})`;
const HEADS: { re: RegExp; kind: 'create-type' | 'create-table' | 'copy' | 'alter' | 'index' | 'comment' }[] = [
  { re: new RegExp(`^(CREATE TYPE )${QUALIFIED}( AS ENUM \\([^]*\\))$`), kind: 'create-type' },
  { re: new RegExp(`^(CREATE TABLE )${QUALIFIED}( \\([^]*\\))$`), kind: 'create-table' },
  { re: new RegExp(`^(COPY )${QUALIFIED}( \\((?:${IDENT}(?:, )?)*\\) FROM stdin)$`), kind: 'copy' },
  { re: new RegExp(`^(ALTER TABLE ONLY )${QUALIFIED}(\\s+ADD CONSTRAINT ${IDENT} [^]*)$`), kind: 'alter' },
  { re: new RegExp(`^(CREATE (?:UNIQUE )?INDEX ${IDENT} ON )${QUALIFIED}( USING [^]*)$`), kind: 'index' },
  { re: new RegExp(`^(COMMENT ON (?:TABLE|COLUMN) )${QUALIFIED}((?:\\.${IDENT})? IS [^]*)$`), kind: 'comment' },
];

function unquote(ident: string): string {
  return ident.slice(1, -1).replace(/""/g, '"');
}

/** Classifies and retargets our dump's statements; remembers the target its first object names. */
export class OurLayout {
  /** The schema the dump creates its objects in (unquoted), once the first one is seen. */
  target: string | null = null;

  constructor(private readonly staging: string) {}

  step(kind: StatementKind, text: string, line: number): LayoutStep {
    if (kind === 'session') return { kind: /set_config\s*\(\s*'search_path'/i.test(text) ? 'search-path' : 'session' };
    if (kind === 'begin' || kind === 'commit') return { kind };
    const body = text.trim().replace(/;$/, '');
    const schema = kind === 'create-schema' ? CREATE_SCHEMA.exec(body)?.[1] : undefined;
    if (schema !== undefined) {
      // Run by the move transaction: the target is not touched before the load succeeded.
      this.checkTarget(unquote(schema), line);
      return { kind: 'create-schema', text: body };
    }
    for (const head of HEADS) {
      const m = head.re.exec(body);
      if (!m) continue;
      const [, before = '', schema = '', name = '', after = ''] = m;
      this.checkTarget(unquote(schema), line);
      if (head.kind !== 'comment' && this.namesTarget(after)) throw new NotOurLayout(line, 'the statement names the target schema inside its definition');
      const table = unquote(name);
      const relation = `${quoteIdent(this.staging)}.${name}`;
      const moved = `${before}${relation}${after}`;
      switch (head.kind) {
        case 'create-type':
          return { kind: 'create-type', name: table, text: moved };
        case 'create-table':
          return { kind: 'create-table', table, text: moved };
        case 'copy':
          return { kind: 'copy', table, relation, text: moved };
        default:
          return this.post(head.kind, table, moved, after);
      }
    }
    throw new NotOurLayout(line);
  }

  /**
   * Our engine writes definitions unqualified; one that names the target would point a staged
   * object at the target's (maybe missing) objects instead of its staged neighbours.
   */
  private namesTarget(definition: string): boolean {
    const t = this.target ?? '';
    const bare = /^[a-z_][a-z0-9_$]*$/.test(t) ? new RegExp(`(^|[^\\w$"])${t}\\s*\\.`, 'i').test(definition) : false;
    return bare || definition.includes(`${quoteIdent(t)}.`);
  }

  private post(kind: 'alter' | 'index' | 'comment', table: string, text: string, after: string): LayoutStep {
    const fk = kind === 'alter' ? /^\s+ADD CONSTRAINT "(?:[^"]|"")*" FOREIGN KEY \([^)]*\) REFERENCES ("(?:[^"]|"")*"|[a-z_][a-z0-9_$]*)\(/.exec(after) : null;
    const references = fk?.[1] ? (fk[1].startsWith('"') ? unquote(fk[1]) : fk[1]) : null;
    const label = kind === 'index' ? 'index' : kind === 'comment' ? 'comment' : references !== null ? 'foreign key' : 'constraint';
    // CREATE INDEX takes a SHARE lock: several can build on one table at once; ALTER TABLE cannot.
    return { kind: 'post', table, references, exclusive: kind !== 'index', label, text };
  }

  private checkTarget(schema: string, line: number): void {
    this.target ??= schema;
    if (schema !== this.target) {
      throw new ExporterError('IMPORT_FAILED', `line ${line}: the dump creates objects in two schemas (${this.target}, ${schema}); a dump of ours has one target`);
    }
  }
}
