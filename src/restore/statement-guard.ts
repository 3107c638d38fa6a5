/**
 * What no imported file may do, whoever wrote it: act on the database server's host or on the
 * cluster beyond the target database. People import downloaded files as a superuser, and a
 * superuser's `COPY ... FROM PROGRAM` runs a command as the server's OS user. pg_dump never
 * writes any of what is refused here into a database dump, so real dumps are not affected.
 *
 * Checked on each statement's text before it is sent (tokens, see sql-tokens.ts): COPY other
 * than FROM STDIN, calls of the server's file, program and connection functions (also inside
 * DO blocks and function bodies, in any spelling the server accepts: quoted, schema-qualified,
 * U&-escaped), ALTER SYSTEM, LOAD, role and database statements, role membership grants, and
 * DO blocks that cannot be checked (another language, dynamic SQL). A static check cannot see
 * what a function in an untrusted language does when it is called later: README tells people
 * to import files they did not make as a role that is not a superuser.
 */
import { isName, isOp, splitStatements, tokenize, wordAt, type Token } from './sql-tokens.js';

const SERVER_FUNCTIONS =
  /^(?:pg_read_file|pg_read_binary_file|pg_stat_file|pg_ls_\w+|pg_file_(?:write|rename|unlink|sync)|pg_logdir_ls|lo_import|lo_export|dblink\w*|pg_reload_conf|pg_rotate_logfile|pg_terminate_backend|pg_cancel_backend|pg_promote)$/;
const SERVER_CALL_IN_TEXT =
  /\b(pg_read_file|pg_read_binary_file|pg_stat_file|pg_ls_\w+|pg_file_(?:write|rename|unlink|sync)|pg_logdir_ls|lo_import|lo_export|dblink\w*|pg_reload_conf|pg_rotate_logfile|pg_terminate_backend|pg_cancel_backend|pg_promote)\s*\(/i;
/** Nothing in a statement without one of these can be refused: most INSERTs skip the tokenizer. */
const WORTH_A_LOOK = /\b(?:do|copy|load|grant|revoke|alter|create|drop|reassign)\b|pg_|lo_|dblink|u&/i;
const CLUSTER_OBJECTS = new Set(['role', 'user', 'group', 'database']);
/** Words after which a PL/pgSQL body starts a new statement. */
const BLOCK_WORDS = new Set(['begin', 'then', 'else', 'loop', 'atomic', 'declare']);

/** `text` cut into its statements, as tokens; a caller that checks it twice passes one it memoizes. */
export type SplitText = () => Token[][];

/** Why `text` (one statement as the scanner cut it) must not be sent, or null. */
export function statementRefusal(text: string, standardStrings = true, split: SplitText = () => splitStatements(tokenize(text, standardStrings))): string | null {
  if (!WORTH_A_LOOK.test(text)) return null;
  for (const part of split()) {
    const why = statementForm(part) ?? codeRefusal(part);
    if (why) return why;
  }
  return null;
}

/** Rules on what a statement is (its leading words). */
function statementForm(part: Token[]): string | null {
  const w0 = wordAt(part, 0);
  if (w0 === 'copy') return copyRefusal(part);
  if (w0 === 'load') return 'LOAD loads a library into the database server';
  if ((w0 === 'grant' || w0 === 'revoke') && !part.some((t) => t.t === 'word' && t.v === 'on')) {
    return 'granting or revoking role membership changes roles of the whole server';
  }
  if (w0 === 'do') return doRefusal(part);
  if (w0 === 'create' && routineKeyword(part)) return routineRefusal(part);
  return null;
}

/** Only `COPY name [(columns)] FROM STDIN` loads data; `TO STDOUT` is refused by the replay itself. */
function copyRefusal(part: Token[]): string | null {
  let k = 1;
  if (isName(part[k])) {
    k++;
    while (isOp(part[k], '.') && isName(part[k + 1])) k += 2;
    if (isOp(part[k], '(')) k = skipGroup(part, k);
  } else if (isOp(part[k], '(')) k = skipGroup(part, k);
  const [w, target] = [wordAt(part, k), wordAt(part, k + 1)];
  if ((w === 'from' && target === 'stdin') || (w === 'to' && target === 'stdout')) return null;
  return 'COPY other than FROM STDIN reads or writes files or runs programs on the database server';
}

function doRefusal(part: Token[]): string | null {
  let language = 'plpgsql';
  let body = '';
  for (let k = 1; k < part.length; k++) {
    const tok = part[k] as Token;
    if (wordAt(part, k) === 'language' && part[k + 1]) language = (part[++k] as Token).v.toLowerCase();
    else if (tok.t === 'string') body = tok.v;
  }
  if (language !== 'plpgsql') return `a DO block in language ${language} runs code on the database server that cannot be checked`;
  return dynamicSqlRefusal(body) ?? bodyRefusal(body);
}

/** EXECUTE of a constant string is checked as a statement; anything computed cannot be checked. */
function dynamicSqlRefusal(body: string): string | null {
  for (const part of splitStatements(tokenize(body))) {
    for (let k = 0; k < part.length; k++) {
      if (wordAt(part, k) !== 'execute') continue;
      const sql = part[k + 1];
      const after = wordAt(part, k + 2);
      if (sql?.t !== 'string' || !(k + 2 === part.length || after === 'into' || after === 'using')) {
        return 'a DO block running computed SQL (EXECUTE of an expression) cannot be checked before it runs';
      }
      const why = statementRefusal(sql.v);
      if (why) return why;
    }
  }
  return null;
}

function routineKeyword(part: Token[]): boolean {
  const w = part.slice(1, 4).map((t) => (t.t === 'word' ? t.v : ''));
  return w[0] === 'function' || w[0] === 'procedure' || (w[0] === 'or' && w[1] === 'replace' && (w[2] === 'function' || w[2] === 'procedure'));
}

/** The body of a CREATE FUNCTION/PROCEDURE (quoted; BEGIN ATOMIC bodies are tokens already). */
function routineRefusal(part: Token[]): string | null {
  const as = part.findIndex((t) => t.t === 'word' && t.v === 'as');
  const language = part.findIndex((t) => t.t === 'word' && t.v === 'language');
  const lang = language >= 0 ? (part[language + 1]?.v ?? '').toLowerCase() : '';
  const strings = as >= 0 ? part.slice(as + 1).filter((t) => t.t === 'string') : [];
  if (lang === 'c' && strings[0] && !strings[0].v.startsWith('$libdir/')) {
    return `a C function from ${strings[0].v}, a library outside the server's $libdir`;
  }
  for (const s of strings) {
    const why = bodyRefusal(s.v);
    if (why) return why;
  }
  return null;
}

/** Code inside a body, in whatever language: its statements, and any call of a server function. */
function bodyRefusal(body: string): string | null {
  for (const part of splitStatements(tokenize(body))) {
    const why = codeRefusal(part);
    if (why) return why;
  }
  const call = SERVER_CALL_IN_TEXT.exec(body);
  return call ? serverFunction(call[1] ?? '') : null;
}

/** Rules on any code: references to server functions, cluster statements, COPY with a program or file. */
function codeRefusal(part: Token[]): string | null {
  const extension = wordAt(part, 1) === 'extension' || (wordAt(part, 0) === 'comment' && wordAt(part, 2) === 'extension');
  for (let k = 0; k < part.length; k++) {
    const tok = part[k] as Token;
    const name = tok.t === 'word' ? tok.v : tok.t === 'ident' ? tok.v.toLowerCase() : '';
    if (name && SERVER_FUNCTIONS.test(name) && !extension && usedAsFunction(part, k)) return serverFunction(name);
    if (tok.t !== 'word') continue;
    const startsStatement = k === 0 || BLOCK_WORDS.has(wordAt(part, k - 1));
    if (startsStatement && clusterStatement(part, k)) return clusterStatement(part, k);
    if (tok.v === 'copy' && copyWithProgramOrFile(part, k)) {
      return 'COPY other than FROM STDIN reads or writes files or runs programs on the database server';
    }
  }
  return null;
}

/** A call `name(`, or a function reference `= [schema.]name` (CREATE OPERATOR, AGGREGATE ...). */
function usedAsFunction(part: Token[], k: number): boolean {
  if (isOp(part[k + 1], '(')) return true;
  let j = k - 1;
  while (isOp(part[j], '.') && isName(part[j - 1])) j -= 2;
  return isOp(part[j], '=');
}

function clusterStatement(part: Token[], k: number): string | null {
  const [w0, w1, w2] = [wordAt(part, k), wordAt(part, k + 1), wordAt(part, k + 2)];
  if (w0 === 'alter' && w1 === 'system') return 'ALTER SYSTEM changes the configuration of the database server';
  if ((w0 === 'create' || w0 === 'alter' || w0 === 'drop') && CLUSTER_OBJECTS.has(w1) && !(w1 === 'user' && w2 === 'mapping')) {
    return `${w0.toUpperCase()} ${w1.toUpperCase()} acts on the whole server, not on the target database`;
  }
  if (w0 === 'reassign' && w1 === 'owned') return 'REASSIGN OWNED acts on roles of the whole server';
  return null;
}

function copyWithProgramOrFile(part: Token[], k: number): boolean {
  for (let j = k + 1; j < part.length; j++) {
    const w = wordAt(part, j);
    if (w === 'program') return true;
    if ((w === 'from' || w === 'to') && part[j + 1]?.t === 'string') return true;
  }
  return false;
}

function serverFunction(name: string): string {
  return `${name} reads or writes files, runs commands or connects out from the database server`;
}

/** Index just past the parenthesised group opening at `k`. */
export function skipGroup(part: Token[], k: number): number {
  let depth = 0;
  for (let j = k; j < part.length; j++) {
    if (isOp(part[j], '(')) depth++;
    else if (isOp(part[j], ')') && --depth === 0) return j + 1;
  }
  return part.length;
}
