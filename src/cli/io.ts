/**
 * The CLI's one output seam: every command prints through `print` / `printErr` (runCli points
 * `io` at the streams it was given, so commands are tested in-process with captured output
 * exactly as a person sees it), and text that came from a database or a file goes through
 * `untrusted` (or the `safe` template tag) first: a workspace name or a server message holding
 * ESC sequences, OSC titles, carriage returns or bidi overrides must not drive the terminal.
 */
import { untrusted } from '../text-safety.js';

export const io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = {
  stdout: process.stdout,
  stderr: process.stderr,
};

export function print(text: string): void {
  io.stdout.write(text);
}

export function printErr(text: string): void {
  io.stderr.write(text);
}

export { untrusted };

/** A template of our own text whose interpolated values are untrusted. */
export function safe(strings: TemplateStringsArray, ...values: unknown[]): string {
  return strings.reduce((out, s, i) => out + (i > 0 ? untrusted(values[i - 1]) : '') + s, '');
}

const BEYOND_C0 = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** JSON for a terminal: JSON.stringify escapes C0 controls; this escapes the others as \uXXXX too. */
export function terminalJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(BEYOND_C0, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
