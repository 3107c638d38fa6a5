/**
 * Download names. The ASCII form is safe in any header and on any file system; the UTF-8 form
 * feeds RFC 6266 `filename*` so "Café" still downloads as fief_dump_Café.sql.
 */
export function dumpFileName(workspaceName: string, gzip = false): string {
  const base = workspaceName.normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+|_+$/g, '').slice(0, 100);
  return `fief_dump_${base || 'workspace'}.sql${gzip ? '.gz' : ''}`;
}

/**
 * Bidi controls (embeddings, overrides, isolates, marks) would let a name display as something
 * it is not ("x\u202Elqs.exe"), and line/paragraph separators break lines where a name is shown:
 * they are dropped, not replaced, since they carry no visible text.
 */
const INVISIBLE_FORMATTING = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

export function dumpFileNameUtf8(workspaceName: string, gzip = false): string {
  // Path separators, quotes and control characters (C0 and C1) never reach a file name.
  const base = workspaceName
    .replace(INVISIBLE_FORMATTING, '')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f/\\"'<>:|?*%]+/g, '_')
    .trim()
    .slice(0, 100);
  return `fief_dump_${base || 'workspace'}.sql${gzip ? '.gz' : ''}`;
}

/** Text that goes into a `-- ` comment line of the dump: a newline there would end the comment. */
export function commentSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f\u0085\u2028\u2029]/g, ' ');
}
