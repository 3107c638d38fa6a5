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
