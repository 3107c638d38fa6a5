/** The COPY-row rewriter that moves tokens from the instance key to the export key. */
import { describe, expect, it } from 'vitest';
import { Fernet, generateKey } from '../src/crypto/fernet.js';
import { encryptedColumnsOf } from '../src/legacy/fief-schema.js';
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
      // push() owns (and may rewrite) what it is given: hand it copies.
      const out = Buffer.concat([...rw.push(Buffer.from(input.subarray(0, cut))), ...rw.push(Buffer.from(input.subarray(cut)))]).toString('utf8');
      rw.end();
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

  it('rewrites values whose new encoding has another length, in any target order, one byte per chunk too', () => {
    const input = 'r1\tshort\t\\N\tkeep\nr2\tx\\ty\tlonger value\t\\\\\n';
    const rewrite = (v: string): string => (v.length < 6 ? `${v}+grown\t` : v.slice(0, 2));
    const expected = 'r1\tshort+grown\\t\t\\N\tkeep\nr2\tx\\ty+grown\\t\tlo\t\\\\\n';
    const whole = new CopyRowRewriter('t', columns, ['refresh_token', 'access_token'], rewrite);
    expect(Buffer.concat(whole.push(Buffer.from(input))).toString()).toBe(expected);
    whole.end();
    const bytes = new CopyRowRewriter('t', columns, ['access_token', 'refresh_token'], rewrite);
    const parts = [...Buffer.from(input)].flatMap((b) => bytes.push(Buffer.from([b])));
    expect(Buffer.concat(parts).toString()).toBe(expected);
    bytes.end();
    // Split in three anywhere: the straddling rows are rewritten too.
    for (let a = 1; a < input.length; a += 3) {
      for (let b = a; b < input.length; b += 5) {
        const rw = new CopyRowRewriter('t', columns, ['access_token', 'refresh_token'], rewrite);
        const all = Buffer.from(input);
        const pieces = [all.subarray(0, a), all.subarray(a, b), all.subarray(b)].flatMap((p) => rw.push(Buffer.from(p)));
        expect(Buffer.concat(pieces).toString(), `cut at ${a}, ${b}`).toBe(expected);
        rw.end();
      }
    }
  });

  it('refuses rows of the wrong shape and data that ends inside a row', () => {
    expect(() => rewriter().push(Buffer.from('a\tb\tc\n'))).toThrow(/unexpected COPY row shape in fief_oauth_accounts/);
    expect(() => rewriter().push(Buffer.from('a\tb\tc\td\te\n'))).toThrow(/unexpected COPY row shape/);
    const rw = rewriter();
    rw.push(Buffer.from('a\t\\N\t\\N'));
    expect(() => rw.end()).toThrow(/COPY data of fief_oauth_accounts ended inside a row/);
  });

  it('stops on a token the source key cannot decrypt, naming table, column and row id', () => {
    const other = new Fernet(generateKey()).encrypt('x');
    const rw = rewriter();
    expect(() => rw.push(Buffer.from(`row-42\t${other}\t\\N\tn\n`))).toThrow(
      /cannot decrypt fief_oauth_accounts\.access_token of row row-42 with the given ENCRYPTION_KEY/,
    );
  });
});

describe('encryptedColumnsOf', () => {
  const table = (name: string, cols: string[]): { name: string; columns: { name: string }[] } => ({ name, columns: cols.map((c) => ({ name: c })) });

  it('names the encrypted columns a table has, under its prefix only', () => {
    expect(encryptedColumnsOf(table('fief_oauth_accounts', ['id', 'access_token', 'refresh_token']), 'fief_')).toEqual(['access_token', 'refresh_token']);
    expect(encryptedColumnsOf(table('fief_oauth_accounts', ['id', 'access_token', 'refresh_token']), 'other_')).toEqual([]);
    expect(encryptedColumnsOf(table('fief_users', ['id', 'email']), 'fief_')).toEqual([]);
  });

  it('leaves out one a hand-altered schema dropped, instead of failing the export on it', () => {
    expect(encryptedColumnsOf(table('fief_oauth_accounts', ['id', 'access_token']), 'fief_')).toEqual(['access_token']);
  });
});
