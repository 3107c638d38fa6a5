/**
 * The dump format contract shared by the dump engine and the importer (docs/architecture.md,
 * "Dump format"): line 2 names the version, and each COPY block gets a verify line whose
 * checksum depends on it.
 *
 * Version 2 checksums with CRC-32, version 1 (earlier builds, still imported) with SHA-256.
 * The checksum guards against damage and truncation, not against tampering (whoever edits the
 * file can edit its footer too), and SHA-256 cost about a tenth of the export's CPU time.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';

export const FORMAT_LINE_PREFIX = '-- fief-exporter dump format ';
export const FORMAT_VERSION = 2;
export const FORMAT_LINE = `${FORMAT_LINE_PREFIX}${FORMAT_VERSION}`;
/** Line 1: the key the dump's secrets are encrypted with, for Fief's environment. */
export const KEY_LINE_PREFIX = '-- ENCRYPTION_KEY=';
/** The footer, after the data: one verify line per COPY block, then one complete line. */
export const VERIFY_LINE_PREFIX = '-- fief-exporter:verify ';
export const COMPLETE_LINE_PREFIX = '-- fief-exporter:complete ';

export type FormatVersion = 1 | 2;

export interface BlockChecksum {
  update(bytes: Buffer): void;
  /** Lower-case hex. */
  digest(): string;
}

export interface ChecksumKind {
  /** The verify line's field. */
  field: 'sha256' | 'crc32';
  /** How people call it, in messages. */
  label: string;
  pattern: RegExp;
  create(): BlockChecksum;
}

class Crc32 implements BlockChecksum {
  #value = 0;

  update(bytes: Buffer): void {
    this.#value = crc32(bytes, this.#value);
  }

  digest(): string {
    return this.#value.toString(16).padStart(8, '0');
  }
}

class Sha256 implements BlockChecksum {
  readonly #hash = createHash('sha256');

  update(bytes: Buffer): void {
    this.#hash.update(bytes);
  }

  digest(): string {
    return this.#hash.digest('hex');
  }
}

export const CHECKSUMS: Readonly<Record<FormatVersion, ChecksumKind>> = {
  1: { field: 'sha256', label: 'SHA-256', pattern: /^[0-9a-f]{64}$/, create: () => new Sha256() },
  2: { field: 'crc32', label: 'CRC-32', pattern: /^[0-9a-f]{8}$/, create: () => new Crc32() },
};

/** The version a line 2 announces: a known one, 'unknown' (a newer tool), or null (not ours). */
export function formatVersionOf(line2: string): FormatVersion | 'unknown' | null {
  if (!line2.startsWith(FORMAT_LINE_PREFIX)) return null;
  const v = line2.slice(FORMAT_LINE_PREFIX.length);
  if (v === '1') return 1;
  if (v === '2') return 2;
  return 'unknown';
}
