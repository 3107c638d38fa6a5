/**
 * `Content-Disposition: attachment` for a dump whose name comes from a workspace (free text):
 * the dump engine's ASCII file name as `filename`, which every browser understands, plus the
 * UTF-8 name as RFC 5987 `filename*` when they differ, so a current browser saves
 * "fief_dump_Café.sql" (RFC 6266 section 4.3).
 */
import { dumpFileName, dumpFileNameUtf8 } from '../dump/filename.js';

/** Characters RFC 5987 lets through unencoded in `filename*` (attr-char). */
const ATTR_CHAR = /[A-Za-z0-9!#$&+.^_`|~-]/;

export function encodeRfc5987(value: string): string {
  let out = '';
  for (const char of value) {
    if (ATTR_CHAR.test(char)) {
      out += char;
      continue;
    }
    for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

export function dumpAttachmentHeader(workspaceName: string, gzip: boolean): string {
  const ascii = dumpFileName(workspaceName, gzip);
  const utf8 = dumpFileNameUtf8(workspaceName, gzip);
  if (ascii === utf8) return `attachment; filename="${ascii}"`;
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeRfc5987(utf8)}`;
}
