/**
 * Where a long statement's bytes wait until its end is found, so that a file whose quote
 * never closes costs disk, not memory, until the statement cap stops it. The file is
 * unlinked as soon as it is created (only its descriptor keeps it), mode 0600 meanwhile: a
 * statement may carry secrets, and nothing is left behind whatever happens to the process.
 */
import { closeSync, constants, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export class SpillFile {
  size = 0;
  private fd: number | null;

  constructor() {
    const path = join(tmpdir(), `fief-exporter-statement-${process.pid}-${randomBytes(8).toString('hex')}`);
    this.fd = openSync(path, constants.O_CREAT | constants.O_EXCL | constants.O_RDWR | constants.O_NOFOLLOW, 0o600);
    unlinkSync(path);
  }

  write(parts: Buffer[]): void {
    for (const part of parts) {
      let done = 0;
      while (done < part.length) done += writeSync(this.open(), part, done, part.length - done, this.size + done);
      this.size += part.length;
    }
  }

  /** Everything written, in one buffer. */
  read(): Buffer {
    const out = Buffer.allocUnsafe(this.size);
    let done = 0;
    while (done < this.size) {
      const n = readSync(this.open(), out, done, this.size - done, done);
      if (n === 0) throw new Error('the statement spill file was cut short');
      done += n;
    }
    return out;
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }

  private open(): number {
    if (this.fd === null) throw new Error('the statement spill file is closed');
    return this.fd;
  }
}
