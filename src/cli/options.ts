/** Shared option helpers: env fallbacks and validation that turn into exit code 2. */
import { readFileSync } from 'node:fs';
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

export interface RequiredOption {
  value: string | undefined;
  flag: string;
  /** The environment variable it falls back to. */
  env?: string;
}

/**
 * Every required option at once: one run names everything missing, instead of one per run.
 * `problems` are other usage mistakes found meanwhile, reported in the same sentence.
 */
export function requireOptions<const T extends readonly RequiredOption[]>(options: T, problems: string[] = []): { [K in keyof T]: string } {
  const values: string[] = [];
  const missing: string[] = [];
  for (const { value, flag, env } of options) {
    const resolved = value ?? (env ? process.env[env] : undefined);
    if (resolved === undefined || resolved === '') missing.push(env ? `${flag} (or the ${env} environment variable)` : flag);
    values.push(resolved ?? '');
  }
  const all = [...(missing.length > 0 ? [`missing ${listOf(missing)}`] : []), ...problems];
  if (all.length > 0) throw new UsageError(all.join('; '));
  return values as { [K in keyof T]: string };
}

/** "a", "a and b", "a, b and c". */
function listOf(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}`;
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

/**
 * The instance key: `--encryption-key-file PATH` (keeps it out of `ps` and shell history), else
 * `--encryption-key`, else ENCRYPTION_KEY. Trailing whitespace (the file's newline) is dropped.
 */
export function encryptionKeyOption(flags: { encryptionKey?: string; encryptionKeyFile?: string }, required: boolean): string | undefined {
  if (flags.encryptionKeyFile !== undefined && flags.encryptionKey !== undefined) {
    throw new UsageError('give --encryption-key-file or --encryption-key, not both');
  }
  if (flags.encryptionKeyFile === undefined) {
    return required ? requireOption(flags.encryptionKey, '--encryption-key', 'ENCRYPTION_KEY') : flags.encryptionKey ?? (process.env.ENCRYPTION_KEY || undefined);
  }
  let text: string;
  try {
    text = readFileSync(flags.encryptionKeyFile, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read --encryption-key-file ${flags.encryptionKeyFile} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const key = text.trimEnd();
  if (key === '') throw new UsageError(`--encryption-key-file ${flags.encryptionKeyFile} is empty`);
  return key;
}
