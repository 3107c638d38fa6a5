/**
 * Where commands print. runCli points these at the streams it was given, so commands are
 * tested in-process with captured output exactly as a person sees it.
 */
export const io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream } = {
  stdout: process.stdout,
  stderr: process.stderr,
};
