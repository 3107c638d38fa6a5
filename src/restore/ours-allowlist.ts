/**
 * The statements fief-exporter's own dumps hold (src/dump/writer.ts, ddl.ts; formats 1 and 2),
 * and nothing else. A file that announces our format on line 2 is imported only if every
 * statement has one of these forms, so a statement slipped into a downloaded dump (an INSERT
 * of an admin, a function, a trigger) is refused before anything runs. Expressions inside
 * the forms (column defaults, constraint and index definitions) are the statement guard's
 * business (statement-guard.ts), which every statement passes too.
 *
 * Shared by every import path of our dumps (the sequential replay and the parallel one).
 */
import { skipGroup, type SplitText } from './statement-guard.js';
import { isName, isOp, splitStatements, tokenize, wordAt, type Token } from './sql-tokens.js';

/** The settings of our preamble (pg_dump's, see writer.ts). */
const SETTINGS = new Set([
  'statement_timeout',
  'lock_timeout',
  'idle_in_transaction_session_timeout',
  'transaction_timeout',
  'client_encoding',
  'standard_conforming_strings',
  'check_function_bodies',
  'xmloption',
  'client_min_messages',
  'row_security',
  'default_tablespace',
  'default_table_access_method',
]);

/**
 * Pattern items: a lower-case word; `'(' ',' ')' '.' '='` operators; `<name>` (identifier),
 * `<qname>` (possibly qualified), `<string>`, `<bool>`, `<group>` (a parenthesised group),
 * `<strings>` (a parenthesised list of strings), `<rest>` (anything up to the end), `?word`.
 */
const FORMS: string[][] = [
  ['begin'],
  ['commit'],
  ['create', 'schema', 'if', 'not', 'exists', '<name>'],
  ['select', 'pg_catalog', '.', 'set_config', '(', '<string>', ',', '<string>', ',', '<bool>', ')'],
  ['create', 'type', '<qname>', 'as', 'enum', '<strings>'],
  ['create', 'table', '<qname>', '<group>'],
  ['copy', '<qname>', '<group>', 'from', 'stdin'],
  ['alter', 'table', 'only', '<qname>', 'add', 'constraint', '<name>', '<rest>'],
  ['create', '?unique', 'index', '<name>', 'on', '<qname>', 'using', '<rest>'],
  ['comment', 'on', 'table', '<qname>', 'is', '<string>'],
  ['comment', 'on', 'column', '<qname>', 'is', '<string>'],
];

/** Why `text` is not a statement our exporter writes, or null when it is one. */
export function oursRefusal(text: string, standardStrings = true, split: SplitText = () => splitStatements(tokenize(text, standardStrings))): string | null {
  const parts = split();
  const [part] = parts;
  if (parts.length === 1 && part && (isSetting(part) || FORMS.some((form) => matches(part, form)))) return null;
  return 'fief-exporter never writes such a statement, so this dump was altered';
}

function isSetting(part: Token[]): boolean {
  if (wordAt(part, 0) !== 'set' || !SETTINGS.has(wordAt(part, 1))) return false;
  const op = part[2];
  const value = part.slice(3);
  const assigns = (op?.t === 'op' && op.v === '=') || wordAt(part, 2) === 'to';
  return assigns && value.length === 1 && (value[0]?.t !== 'ident');
}

function matches(part: Token[], form: string[]): boolean {
  let k = 0;
  for (const item of form) {
    const tok = part[k];
    if (item === '<rest>') return k < part.length;
    if (item.startsWith('?')) {
      if (wordAt(part, k) === item.slice(1)) k++;
      continue;
    }
    const next = step(part, k, item, tok);
    if (next < 0) return false;
    k = next;
  }
  return k === part.length;
}

/** Index after `item` matched at `k`, or -1. */
function step(part: Token[], k: number, item: string, tok: Token | undefined): number {
  switch (item) {
    case '<name>':
      return isName(tok) ? k + 1 : -1;
    case '<qname>': {
      if (!isName(tok)) return -1;
      let j = k + 1;
      while (isOp(part[j], '.') && isName(part[j + 1])) j += 2;
      return j;
    }
    case '<string>':
      return tok?.t === 'string' ? k + 1 : -1;
    case '<bool>':
      return wordAt(part, k) === 'true' || wordAt(part, k) === 'false' ? k + 1 : -1;
    case '<group>':
      return isOp(tok, '(') ? skipGroup(part, k) : -1;
    case '<strings>': {
      const end = isOp(tok, '(') ? skipGroup(part, k) : -1;
      const inner = end < 0 ? [] : part.slice(k + 1, end - 1);
      return end >= 0 && inner.every((t, i) => (i % 2 === 0 ? t.t === 'string' : isOp(t, ','))) ? end : -1;
    }
    default:
      if (/^[a-z_]+$/.test(item)) return wordAt(part, k) === item ? k + 1 : -1;
      return isOp(tok, item) ? k + 1 : -1;
  }
}
