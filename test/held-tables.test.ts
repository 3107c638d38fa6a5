/** Token tables held in memory: in-place re-encryption across buffer cuts, and its fallbacks. */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { Fernet, generateKey } from '../src/crypto/fernet.js';
import { BackgroundRewrite, finishInPlace, HeldTable } from '../src/dump/held-tables.js';
import { Reencryptor } from '../src/dump/reencrypt.js';

const source = generateKey();
const target = generateKey();
const reencryptor = new Reencryptor(source, target);
const f = new Fernet(source);
const COLUMNS = ['id', 'access_token', 'note', 'refresh_token'];
const TARGETS = ['access_token', 'refresh_token'];

/** Each chunk in its own memory, as the run pool's buffers are. */
function cut(text: string, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) {
    const part = bytes.subarray(i, i + size);
    const own = Buffer.from(new ArrayBuffer(part.length));
    part.copy(own);
    chunks.push(own);
  }
  return chunks;
}

function held(chunks: Buffer[], rewrite: (v: string) => string = (v) => reencryptor.reencrypt(v)): HeldTable {
  const table = new HeldTable('fief_oauth_accounts', COLUMNS, TARGETS, rewrite);
  for (const c of chunks) table.add(c);
  return table;
}

/** Every held buffer reaches the consumer once at most (a recycling consumer relies on it). */
function expectEachHeldBufferOnce(chunks: Buffer[], out: Buffer[]): void {
  for (const c of chunks) expect(out.filter((o) => o.buffer === c.buffer).length).toBeLessThanOrEqual(1);
}

const rows = Array.from({ length: 40 }, (_, i) => ({
  id: `id-${i}`,
  access: `ya29.access-${i}`,
  note: i % 3 === 0 ? 'tab\\there\\\\' : `note ${i}`,
  refresh: i % 4 === 0 ? null : `1//refresh-${i}`,
}));
const copyText = rows.map((r) => `${r.id}\t${f.encrypt(r.access)}\t${r.note}\t${r.refresh === null ? '\\N' : f.encrypt(r.refresh)}\n`).join('');

function plaintexts(text: string): string[][] {
  const t = new Fernet(target);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id, access, note, refresh] = line.split('\t');
      return [id ?? '', t.decryptString(access ?? ''), note ?? '', refresh === '\\N' ? 'NULL' : t.decryptString(refresh ?? '')];
    });
}
const expected = rows.map((r) => [r.id, r.access, r.note, r.refresh ?? 'NULL']);

describe('HeldTable', () => {
  it.each([1, 7, 64, 250, 1 << 20])('re-encrypts every token in place when buffers cut rows and tokens (%i-byte buffers)', (size) => {
    const chunks = cut(copyText, size);
    const table = held(chunks);
    table.rewriteUntil(Infinity);
    expect(table.pending).toBe(false);
    const out = [...table.output()];
    // In place: the held buffers themselves, in order.
    expect(out.length === chunks.length && out.every((o, i) => o === chunks[i])).toBe(true);
    expect(plaintexts(Buffer.concat(out).toString())).toEqual(expected);
    expectEachHeldBufferOnce(chunks, out);
  });

  it('stops at a token that does not decrypt, and writing names its row', () => {
    const bad = new Fernet(generateKey()).encrypt('other key');
    const text = `a\t${f.encrypt('one')}\tx\t\\N\nb\t${bad}\tx\t\\N\nc\t${f.encrypt('three')}\tx\t\\N\n`;
    const table = held(cut(text, 50));
    table.rewriteUntil(Infinity);
    expect(table.pending).toBe(false);
    // Known at once (the writer stops the export early)…
    expect(table.failure?.message).toMatch(/fief_oauth_accounts\.access_token of row b\b/);
    // …and writing the table would stop there too.
    expect(() => [...table.output()]).toThrow(/fief_oauth_accounts\.access_token of row b\b/);
  });

  it('hands a value of another length, and every row after it, to the streaming rewriter, each rewritten once', () => {
    // Not idempotent (a letter shift), so a row rewritten twice would show.
    const shift = (v: string): string => (v === 'grow' ? 'grown' : v.replace(/[a-y]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 1)));
    const text = 'r1\tabc\tn\t\\N\nr2\tgrow\tn\tab\nr3\tcd\tn\t\\N\nr4\tef\tn\tgh\n';
    for (const size of [1, 3, 9, 100]) {
      const chunks = cut(text, size);
      const table = held(chunks, shift);
      table.rewriteUntil(Infinity);
      expect(table.failure).toBeNull(); // another length is not an error
      const out = [...table.output()];
      expect(Buffer.concat(out).toString(), `${size}-byte buffers`).toBe('r1\tbcd\tn\t\\N\nr2\tgrown\tn\tbc\nr3\tde\tn\t\\N\nr4\tfg\tn\thi\n');
      expectEachHeldBufferOnce(chunks, out);
    }
  });

  it('runs in the background only while started, and finishes when asked', async () => {
    const table = held(cut(copyText, 300));
    const background = new BackgroundRewrite([table]);
    background.start();
    background.stop();
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(table.pending).toBe(true);
    await finishInPlace(table);
    expect(table.pending).toBe(false);
    expect(plaintexts(Buffer.concat([...table.output()]).toString())).toEqual(expected);

    const other = held(cut(copyText, 300));
    new BackgroundRewrite([other]).start();
    while (other.pending) await nextTurn();
    expect(plaintexts(Buffer.concat([...other.output()]).toString())).toEqual(expected);
  });

  it('runs no slice while paused, and goes on where it was when started again', async () => {
    // 200 rows of ~0.1 ms each: a 1 ms slice rewrites a few of them, not all.
    let calls = 0;
    const slow = (v: string): string => {
      calls++;
      const until = performance.now() + 0.1;
      while (performance.now() < until);
      return v.toUpperCase();
    };
    const rows = Array.from({ length: 200 }, (_, i) => `r${i}\tab\tn\t\\N\n`).join('');
    const table = held(cut(rows, 64), slow);
    const background = new BackgroundRewrite([table]);
    background.start();
    background.pause();
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(calls).toBe(0);

    background.start();
    await nextTurn();
    await nextTurn();
    const afterOneSlice = calls;
    expect(afterOneSlice).toBeGreaterThan(0);
    expect(afterOneSlice).toBeLessThan(200);
    background.pause();
    for (let i = 0; i < 5; i++) await nextTurn();
    expect(calls).toBe(afterOneSlice);

    background.start();
    while (table.pending) await nextTurn();
    expect(calls).toBe(200);
    expect(Buffer.concat([...table.output()]).toString()).toBe(rows.replaceAll('\tab\t', '\tAB\t'));
  });
});
