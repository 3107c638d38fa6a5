/**
 * Errors with stable codes (in the manner of openid-client): callers branch on `code`,
 * people read `message`. A message is one sentence that never carries a secret.
 */
export type ErrorCode =
  | 'USAGE'
  | 'INVALID_DATABASE_URL'
  | 'DATABASE_UNREACHABLE'
  | 'DATABASE_ERROR'
  | 'INVALID_ENCRYPTION_KEY'
  | 'FERNET_INVALID_TOKEN'
  | 'WORKSPACE_NOT_FOUND'
  | 'WORKSPACE_UNSUPPORTED'
  | 'DECRYPT_FAILED'
  | 'PREFLIGHT_FAILED'
  | 'EXPORT_FAILED'
  | 'EXPORT_BUSY'
  | 'IMPORT_FAILED'
  | 'IMPORT_PARSE_ERROR'
  | 'IMPORT_REFUSED'
  | 'IMPORT_VERIFY_FAILED'
  | 'IMPORT_TRUNCATED'
  | 'IMPORT_TARGET_NOT_EMPTY'
  | 'INPUT_ERROR'
  | 'CONFIG_INVALID'
  | 'OPTIONAL_PACKAGE_MISSING'
  | 'MIGRATE_TARGET_NOT_EMPTY'
  | 'MIGRATE_FAILED';

export class ExporterError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ExporterError';
    this.code = code;
  }
}

/** A mistake in how a command was called: the CLI exits 2 for these. */
export class UsageError extends ExporterError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

export function isExporterError(err: unknown): err is ExporterError {
  return err instanceof ExporterError;
}
