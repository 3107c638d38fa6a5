/** PostgreSQL COPY text format: the escapes a field may carry (COPY … TO writes these). */
const SIMPLE: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

export function decodeCopyField(field: string): string | null {
  if (field === '\\N') return null;
  if (!field.includes('\\')) return field;
  return field.replace(/\\(x[0-9a-fA-F]{1,2}|[0-7]{1,3}|.)/g, (_m, esc: string) => {
    if (esc[0] === 'x') return String.fromCharCode(parseInt(esc.slice(1), 16));
    if (/^[0-7]/.test(esc)) return String.fromCharCode(parseInt(esc, 8));
    return SIMPLE[esc] ?? esc;
  });
}

export function encodeCopyField(value: string | null): string {
  if (value === null) return '\\N';
  return value.replace(/[\\\b\f\n\r\t\v]/g, (ch) => {
    switch (ch) {
      case '\\': return '\\\\';
      case '\b': return '\\b';
      case '\f': return '\\f';
      case '\n': return '\\n';
      case '\r': return '\\r';
      case '\t': return '\\t';
      default: return '\\v';
    }
  });
}

/** COPY text separators, for code that walks the bytes. */
export const COPY_NL = 0x0a;
export const COPY_TAB = 0x09;

/** data[from, to) is a NULL field (`\N`). */
export function isNullField(data: Buffer, from: number, to: number): boolean {
  return to - from === 2 && data[from] === 0x5c && data[from + 1] === 0x4e;
}

/**
 * Fills `starts` with the start of each of the `count` fields of the COPY row data[from, end)
 * (`end`: where its newline is, or would be), then end + 1; false when the row has another
 * number of fields.
 */
export function splitCopyRow(data: Buffer, from: number, end: number, count: number, starts: number[]): boolean {
  let n = 0;
  for (let at = from; ; ) {
    if (n === count) return false;
    starts[n++] = at;
    const tab = data.indexOf(COPY_TAB, at);
    if (tab < 0 || tab >= end) break;
    at = tab + 1;
  }
  if (n !== count) return false;
  starts[n] = end + 1;
  return true;
}
