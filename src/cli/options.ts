/** Shared option helpers: env fallbacks and validation that turn into exit code 2. */
import { UsageError } from '../errors.js';

export function requireOption(value: string | undefined, flag: string, envName?: string): string {
  const resolved = value ?? (envName ? process.env[envName] : undefined);
  if (resolved === undefined || resolved === '') {
    throw new UsageError(envName ? `missing ${flag} (or the ${envName} environment variable)` : `missing ${flag}`);
  }
  return resolved;
}

export function parsePositiveInt(value: string, flag: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${flag} must be a whole number (got ${JSON.stringify(value)})`);
  return Number(value);
}

const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 2 ** 20, mb: 2 ** 20, mib: 2 ** 20, g: 2 ** 30, gb: 2 ** 30, gib: 2 ** 30 };

/** A size such as `64MiB`, `512k` or `1048576` (bytes; units are powers of 1024). */
export function parseSize(value: string, flag: string): number {
  const m = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(value);
  const unit = m ? SIZE_UNITS[(m[2] ?? '').toLowerCase()] : undefined;
  if (!m || unit === undefined || Number(m[1]) === 0) {
    throw new UsageError(`${flag} must be a size such as 64MiB, 512KiB or a number of bytes (got ${JSON.stringify(value)})`);
  }
  return Number(m[1]) * unit;
}
