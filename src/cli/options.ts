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
