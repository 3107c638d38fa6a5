/** Tokens re-encrypted ahead of their table: field parsing, positional matching, fallbacks. */
import { describe, expect, it } from 'vitest';
import { Fernet, generateKey } from '../src/crypto/fernet.js';
import { Reencryptor } from '../src/dump/reencrypt.js';
import { TableTokens, TokenFieldParser } from '../src/dump/table-tokens.js';

const source = generateKey();
const target = generateKey();
const reencryptor = new Reencryptor(source, target);
const f = new Fernet(source);

function parse(copyText: string, columns: number, capacity: number, chunk = 1): { tokens: string[]; parser: TokenFieldParser } {
  const parser = new TokenFieldParser(columns, capacity);
  const bytes = Buffer.from(copyText);
  for (let i = 0; i < bytes.length; i += chunk) parser.push(Buffer.from(bytes.subarray(i, i + chunk)));
  const { old, ends } = parser.result();
  const tokens = [...ends].map((end, i) => old.toString('utf8', i === 0 ? 0 : ends[i - 1], end));
  return { tokens, parser };
}

function tableTokens(tokens: string[]): TableTokens {
  const parser = new TokenFieldParser(1, 1 << 20);
  parser.push(Buffer.from(tokens.map((t) => `${t}\n`).join('')));
  const { old, ends } = parser.result();
  return new TableTokens(old, ends);
}

describe('TokenFieldParser', () => {
  it('splits rows and fields wherever the chunks cut them, leaving NULLs out', () => {
    const text = 'aaa\t\\N\n\\N\tbb\\tb\nc\tdddd\n';
    for (const chunk of [1, 2, 3, 5, 100]) {
      expect(parse(text, 2, 1000, chunk).tokens, `chunks of ${chunk}`).toEqual(['aaa', 'bb\\tb', 'c', 'dddd']);
    }
  });

  it('stops at the budget without keeping a cut-off token', () => {
    expect(parse('aaa\tbbb\nccc\tddd\n', 2, 8, 2).tokens).toEqual(['aaa', 'bbb']);
    expect(parse('aaa\tbbb\nccc\tddd\n', 2, 2, 1).tokens).toEqual([]);
  });
});

describe('TableTokens', () => {
  const tokens = [f.encrypt('one'), f.encrypt('two'), f.encrypt('three')];
  const field = (t: string): { data: Buffer; from: number; to: number } => {
    const data = Buffer.from(`x\t${t}\ty`);
    return { data, from: 2, to: 2 + t.length };
  };
  const computeAll = (tt: TableTokens): void => {
    while (tt.pending) tt.computeNext((v) => reencryptor.reencrypt(v));
  };

  it('writes the precomputed replacements in order, which decrypt under the new key', () => {
    const tt = tableTokens(tokens);
    computeAll(tt);
    const out = tokens.map((t) => {
      const { data, from, to } = field(t);
      expect(tt.replaceNext(data, from, to)).toBe(true);
      return data.toString('utf8', from, to);
    });
    expect(out.map((t) => new Fernet(target).decryptString(t))).toEqual(['one', 'two', 'three']);
    expect(out).not.toContain(tokens[0]);
  });

  it('gives up for good at the first field that is not the expected token', () => {
    const tt = tableTokens(tokens);
    computeAll(tt);
    const first = field(tokens[0] ?? '');
    expect(tt.replaceNext(first.data, first.from, first.to)).toBe(true);
    const other = field(tokens[2] ?? ''); // out of order
    expect(tt.replaceNext(other.data, other.from, other.to)).toBe(false);
    expect(other.data.toString('utf8', other.from, other.to)).toBe(tokens[2]);
    const second = field(tokens[1] ?? '');
    expect(tt.replaceNext(second.data, second.from, second.to)).toBe(false);
  });

  it('leaves tokens not yet computed, or that do not decrypt, to the caller', () => {
    const bad = new Fernet(generateKey()).encrypt('other key');
    const tt = tableTokens([tokens[0] ?? '', bad, tokens[1] ?? '', tokens[2] ?? '']);
    tt.computeNext((v) => reencryptor.reencrypt(v));
    tt.computeNext((v) => reencryptor.reencrypt(v));
    tt.computeNext((v) => reencryptor.reencrypt(v));
    const results = [tokens[0], bad, tokens[1], tokens[2]].map((t) => {
      const { data, from, to } = field(t ?? '');
      return tt.replaceNext(data, from, to);
    });
    // The bad one is not replaced but the position moves on; the fourth was never computed.
    expect(results).toEqual([true, false, true, false]);
  });
});
