/** Byte values and character classes of psql's lexer (src/fe_utils/psqlscan.l, PostgreSQL 15). */
export const NUL = 0x00;
export const TAB = 0x09;
export const NL = 0x0a;
export const FF = 0x0c;
export const CR = 0x0d;
export const SPACE = 0x20;
export const DQUOTE = 0x22;
export const DOLLAR = 0x24;
export const AMP = 0x26;
export const QUOTE = 0x27;
export const LPAREN = 0x28;
export const RPAREN = 0x29;
export const STAR = 0x2a;
export const DASH = 0x2d;
export const DOT = 0x2e;
export const SLASH = 0x2f;
export const COLON = 0x3a;
export const SEMI = 0x3b;
export const BACKSLASH = 0x5c;

function table(pred: (c: number) => boolean): Uint8Array {
  const t = new Uint8Array(256);
  for (let c = 0; c < 256; c++) t[c] = pred(c) ? 1 : 0;
  return t;
}

const isLetter = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f || c >= 0x80;
const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;

/** {ident_start} = {dolq_start}: [A-Za-z\200-\377_] */
export const IDENT_START = table(isLetter);
/** {ident_cont}: [A-Za-z\200-\377_0-9\$] */
export const IDENT_CONT = table((c) => isLetter(c) || isDigit(c) || c === DOLLAR);
/** {dolq_cont}: [A-Za-z\200-\377_0-9] */
export const DOLQ_CONT = table((c) => isLetter(c) || isDigit(c));
/** {space}: [ \t\n\r\f] */
export const SPACE_CHARS = table((c) => c === SPACE || c === TAB || c === NL || c === CR || c === FF);

/** ASCII lower-casing, as pg_strcasecmp compares keywords. */
export function lower(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c + 0x20 : c;
}

/** Counts `\n` bytes in buf[from, to): line numbers follow the newlines, like psql's fgets. */
export function countNewlines(buf: Buffer, from: number, to: number): number {
  const view = buf.subarray(from, to);
  let n = 0;
  let i = view.indexOf(NL);
  while (i !== -1) {
    n++;
    i = view.indexOf(NL, i + 1);
  }
  return n;
}
