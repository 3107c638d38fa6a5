/**
 * Fernet-encrypted columns of a Fief workspace (keyed by table name without the prefix) and
 * the COPY-row rewriter that moves them from the instance's key to the export's key.
 */
import { Fernet, FernetTokenError } from '../crypto/fernet.js';
import { ExporterError } from '../errors.js';
import { decodeCopyField, encodeCopyField } from './copy-text.js';

export const ENCRYPTED_COLUMNS: Readonly<Record<string, readonly string[]>> = {
  oauth_providers: ['client_id', 'client_secret'],
  oauth_accounts: ['access_token', 'refresh_token'],
};

export function encryptedColumnsOf(tableName: string, prefix: string): readonly string[] {
  if (!tableName.startsWith(prefix)) return [];
  return ENCRYPTED_COLUMNS[tableName.slice(prefix.length)] ?? [];
}

export function decryptFailure(table: string, column: string, rowId: string): ExporterError {
  return new ExporterError(
    'DECRYPT_FAILED',
    `cannot decrypt ${table}.${column} of row ${rowId} with the given ENCRYPTION_KEY (is it the instance's key?)`,
  );
}

/** Decrypts with the source key and re-encrypts with the export key; plaintext never leaves memory. */
export class Reencryptor {
  readonly #source: Fernet;
  readonly #target: Fernet;

  constructor(sourceKey: string, targetKey: string) {
    this.#source = new Fernet(sourceKey);
    this.#target = new Fernet(targetKey);
  }

  reencrypt(token: string): string {
    return this.#target.encrypt(this.#source.decrypt(token));
  }

  /** Throws FernetTokenError when the token was not made with the source key. */
  check(token: string): void {
    this.#source.decrypt(token);
  }
}

/**
 * Rewrites selected fields of COPY text rows. Rows end with `\n` (a newline inside a value is
 * escaped as `\n`), so splitting the byte stream on 0x0A is exact; a row may span chunks.
 */
export class CopyRowRewriter {
  #carry = '';
  readonly #decoder = new TextDecoder('utf-8');

  constructor(
    private readonly table: string,
    private readonly columns: readonly string[],
    private readonly targets: readonly string[],
    private readonly rewrite: (value: string) => string,
  ) {}

  push(chunk: Buffer): Buffer {
    const text = this.#carry + this.#decoder.decode(chunk, { stream: true });
    const end = text.lastIndexOf('\n');
    if (end < 0) {
      this.#carry = text;
      return Buffer.alloc(0);
    }
    this.#carry = text.slice(end + 1);
    const lines = text.slice(0, end).split('\n').map((line) => this.#rewriteLine(line));
    return Buffer.from(lines.join('\n') + '\n', 'utf8');
  }

  end(): Buffer {
    const rest = this.#carry + this.#decoder.decode();
    if (rest !== '') throw new Error(`COPY data of ${this.table} ended inside a row`);
    return Buffer.alloc(0);
  }

  #rewriteLine(line: string): string {
    const fields = line.split('\t');
    if (fields.length !== this.columns.length) throw new Error(`unexpected COPY row shape in ${this.table}`);
    for (const name of this.targets) {
      const index = this.columns.indexOf(name);
      const value = decodeCopyField(fields[index] ?? '\\N');
      if (value === null) continue;
      try {
        fields[index] = encodeCopyField(this.rewrite(value));
      } catch (err) {
        if (err instanceof FernetTokenError) {
          const idIndex = this.columns.indexOf('id');
          throw decryptFailure(this.table, name, idIndex >= 0 ? (decodeCopyField(fields[idIndex] ?? '') ?? '?') : '?');
        }
        throw err;
      }
    }
    return fields.join('\t');
  }
}
