/**
 * A statement's text as the server will lex it, for the importer's safety checks (statement
 * guard, our dumps' allow-list): comments dropped, literals decoded, unquoted words lower-cased.
 * The scanner has already cut the script into statements; this works on one decoded statement,
 * and must agree with the server on what is code and what is a string, so it follows
 * standard_conforming_strings and decodes E'', U&'' and U&"" escapes.
 */
export type Token =
  /** Unquoted identifier or keyword, ASCII-lower-cased as the server folds it. */
  | { t: 'word'; v: string }
  /** Quoted identifier, decoded (not folded). */
  | { t: 'ident'; v: string }
  /** String literal of any kind, decoded (dollar quotes as written). */
  | { t: 'string'; v: string }
  /** Anything else: one punctuation or operator character, a number, a `$1` parameter. */
  | { t: 'op'; v: string };

/** Character classes by code (statements can be megabytes: no regular expression per character). */
const isLetter = (c: number): boolean => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || c === 0x5f || c >= 0x80;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isSpace = (c: number): boolean => c === 0x20 || (c >= 0x09 && c <= 0x0d);
const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

export function tokenize(text: string, standardStrings = true): Token[] {
  const out: Token[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const code = text.charCodeAt(i);
    const c = text.charAt(i);
    const next = text.charAt(i + 1);
    if (isSpace(code)) i++;
    else if (c === '-' && next === '-') i = lineEnd(text, i);
    else if (c === '/' && next === '*') i = commentEnd(text, i);
    else if (c === "'") i = quoted(text, i, !standardStrings, out);
    else if (c === '"') i = identifier(text, i, out);
    else if (c === '$' && (isLetter(text.charCodeAt(i + 1)) || next === '$')) i = dollar(text, i, out);
    else if (isLetter(code)) i = word(text, i, standardStrings, out);
    else if (isDigit(code)) i = number(text, i, out);
    else {
      out.push({ t: 'op', v: c });
      i++;
    }
  }
  return out;
}

function number(text: string, i: number, out: Token[]): number {
  const m = /^[0-9][0-9_.]*(?:[eE][-+]?[0-9]+)?/.exec(text.slice(i, i + 64)) ?? ['0'];
  out.push({ t: 'op', v: m[0] });
  return i + m[0].length;
}

function lineEnd(text: string, i: number): number {
  const nl = text.indexOf('\n', i);
  return nl === -1 ? text.length : nl + 1;
}

function commentEnd(text: string, i: number): number {
  let depth = 0;
  let k = i;
  while (k < text.length) {
    if (text.startsWith('/*', k)) {
      depth++;
      k += 2;
    } else if (text.startsWith('*/', k)) {
      k += 2;
      if (--depth === 0) return k;
    } else k++;
  }
  return k;
}

function word(text: string, i: number, standardStrings: boolean, out: Token[]): number {
  let k = i + 1;
  for (let c = text.charCodeAt(k); isLetter(c) || isDigit(c) || c === 0x24; c = text.charCodeAt(k)) k++;
  const raw = text.slice(i, k);
  // The server folds ASCII letters only.
  const w = /[^\0-\x7f]/.test(raw) ? raw.replace(/[A-Z]/g, (ch) => ch.toLowerCase()) : raw.toLowerCase();
  const quote = text.charAt(k);
  if (quote === "'" && (w === 'e' || w === 'b' || w === 'x' || w === 'n')) return quoted(text, k, w === 'e' || (w === 'n' && !standardStrings), out);
  if (w === 'u' && text.charAt(k) === '&' && (text.charAt(k + 1) === "'" || text.charAt(k + 1) === '"')) {
    const end = text.charAt(k + 1) === '"' ? identifier(text, k + 1, out) : quoted(text, k + 1, false, out);
    return unicodeEscapes(text, end, out);
  }
  out.push({ t: 'word', v: w });
  return k;
}

/** `'...'` (with `''`), continuing across whitespace holding a newline as the server does. */
function quoted(text: string, i: number, backslashes: boolean, out: Token[]): number {
  let v = '';
  let k = i + 1;
  for (;;) {
    if (k >= text.length) break;
    if (!backslashes) {
      // Plain text up to the next quote in one step.
      const q = text.indexOf("'", k);
      const stop = q === -1 ? text.length : q;
      v += text.slice(k, stop);
      k = stop;
      if (k >= text.length) break;
    }
    const c = text.charAt(k);
    if (c === "'" && text.charAt(k + 1) === "'") {
      v += "'";
      k += 2;
    } else if (c === "'") {
      k++;
      const cont = isSpace(text.charCodeAt(k)) ? /^[ \t\f\r]*\n\s*'/.exec(text.slice(k, k + 256)) : null;
      if (!cont) break;
      k += cont[0].length;
    } else if (c === '\\' && backslashes) {
      const [ch, len] = backslashEscape(text, k);
      v += ch;
      k += len;
    } else {
      v += c;
      k++;
    }
  }
  out.push({ t: 'string', v });
  return k;
}

/** An E'' escape at `k` (the backslash): the character and how many characters it took. */
function backslashEscape(text: string, k: number): [string, number] {
  const e = text.charAt(k + 1);
  if (SIMPLE_ESCAPES[e]) return [SIMPLE_ESCAPES[e], 2];
  const m = /^(?:[0-7]{1,3}|x[0-9a-fA-F]{1,2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})/.exec(text.slice(k + 1, k + 10));
  if (!m) return [e, 2];
  const s = m[0];
  const code = s[0] === 'x' || s[0] === 'u' || s[0] === 'U' ? parseInt(s.slice(1), 16) : parseInt(s, 8);
  return [safeChar(code), s.length + 1];
}

/** `"..."` with `""` for a quote; the token runs to the end of the text if nothing closes it. */
function identifier(text: string, i: number, out: Token[]): number {
  let v = '';
  let k = i + 1;
  for (;;) {
    const q = text.indexOf('"', k);
    if (q === -1) {
      v += text.slice(k);
      k = text.length;
      break;
    }
    v += text.slice(k, q);
    k = q + 1;
    if (text.charAt(k) !== '"') break;
    v += '"';
    k++;
  }
  out.push({ t: 'ident', v });
  return k;
}

/**
 * After U&'..' / U&"..": decodes `\XXXX` and `\+XXXXXX` with the UESCAPE character, if one
 * follows (that clause is part of the token); returns where scanning goes on.
 */
function unicodeEscapes(text: string, end: number, out: Token[]): number {
  const last = out[out.length - 1];
  if (!last || last.t === 'word' || last.t === 'op') return end;
  const m = /^\s*uescape\s*'(.)'/i.exec(text.slice(end, end + 64));
  const esc = m?.[1] ?? '\\';
  const re = new RegExp(`${esc.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:\\+([0-9a-fA-F]{6})|([0-9a-fA-F]{4}))`, 'g');
  last.v = last.v.replace(re, (_, six: string | undefined, four: string | undefined) => safeChar(parseInt(six ?? four ?? '0', 16)));
  return end + (m?.[0].length ?? 0);
}

function dollar(text: string, i: number, out: Token[]): number {
  const m = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(text.slice(i, i + 256));
  if (!m) {
    out.push({ t: 'op', v: '$' });
    return i + 1;
  }
  const tag = m[0];
  const start = i + tag.length;
  const close = text.indexOf(tag, start);
  const end = close === -1 ? text.length : close;
  out.push({ t: 'string', v: text.slice(start, end) });
  return close === -1 ? text.length : close + tag.length;
}

function safeChar(code: number): string {
  return code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
}

/** The statement's parts, split at `;` (psql's `\;` arrives as a bare `;`). */
export function splitStatements(tokens: Token[]): Token[][] {
  const parts: Token[][] = [[]];
  for (const tok of tokens) {
    if (tok.t === 'op' && tok.v === ';') parts.push([]);
    else parts[parts.length - 1]?.push(tok);
  }
  return parts.filter((p) => p.length > 0);
}

/** The lower-cased word at `k`, or '' for any other token. */
export function wordAt(tokens: Token[], k: number): string {
  const tok = tokens[k];
  return tok?.t === 'word' ? tok.v : '';
}

export function isName(tok: Token | undefined): boolean {
  return tok?.t === 'word' || tok?.t === 'ident';
}

export function isOp(tok: Token | undefined, v: string): boolean {
  return tok?.t === 'op' && tok.v === v;
}
