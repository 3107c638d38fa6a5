/**
 * Text from databases and files, made safe to show: on a terminal (no escape sequence can drive
 * it) and inside a line comment of a script people may run (no line break can end the comment).
 */

/** C0 and C1 controls, DEL, line/paragraph separators and the bidirectional formatting characters. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

/** `text` on one printable line, every such character shown as an escape (`\e`, `\r`, `\u202e`, ...). */
export function untrusted(text: unknown): string {
  return String(text).replace(CONTROL, (c) => NAMED[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
