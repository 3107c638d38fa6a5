/** The COPY-row rewriter that moves tokens from the instance key to the export key. */
import { describe, expect, it } from 'vitest';
import { Fernet, generateKey } from '../src/crypto/fernet.js';
import { CopyRowRewriter, Reencryptor } from '../src/dump/reencrypt.js';
import { decodeCopyField, encodeCopyField } from '../src/dump/copy-text.js';

const source = generateKey();
const target = generateKey();
const reencryptor = new Reencryptor(source, target);
const columns = ['id', 'access_token', 'refresh_token', 'note'];
const rewriter = (): CopyRowRewriter => new CopyRowRewriter('fief_oauth_accounts', columns, ['access_token', 'refresh_token'], (v) => reencryptor.reencrypt(v));

describe('CopyRowRewriter', () => {
  it('re-encrypts the named fields of rows split anywhere across chunks, leaving the rest byte for byte', () => {
    const f = new Fernet(source);
    const rows = [
      ['a1', f.encrypt('tok\t1'), '\\N', encodeCopyField('tab\there \\. back\\slash\nnew line')],
      ['a2', f.encrypt('tök 2 🦄'), f.encrypt('refresh'), ''],
    ];
    const input = Buffer.from(rows.map((r) => r.join('\t')).join('\n') + '\n');
    for (const cut of [1, 7, 50, input.length - 3]) {
      const rw = rewriter();
      const out = Buffer.concat([rw.push(input.subarray(0, cut)), rw.push(input.subarray(cut)), rw.end()]).toString('utf8');
      const lines = out.split('\n');
      expect(lines.pop()).toBe('');
      const fields = lines.map((l) => l.split('\t'));
      const t = new Fernet(target);
      expect(fields.map((r) => [r[0], t.decryptString(r[1] ?? ''), r[2] === '\\N' ? null : t.decryptString(r[2] ?? ''), decodeCopyField(r[3] ?? '')])).toEqual([
        ['a1', 'tok\t1', null, 'tab\there \\. back\\slash\nnew line'],
        ['a2', 'tök 2 🦄', 'refresh', ''],
      ]);
    }
  });

  it('stops on a token the source key cannot decrypt, naming table, column and row id', () => {
    const other = new Fernet(generateKey()).encrypt('x');
    const rw = rewriter();
    expect(() => rw.push(Buffer.from(`row-42\t${other}\t\\N\tn\n`))).toThrow(
      /cannot decrypt fief_oauth_accounts\.access_token of row row-42 with the given ENCRYPTION_KEY/,
    );
  });
});
