/**
 * src/format.ts writes numbers without Intl (whose first formatter loads ICU's number data at
 * every CLI start): the same text as Intl's en-US formatting, rounding included.
 */
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { countOf, formatBytes, formatCount } from '../src/format.js';

const formatModule = new URL('../src/format.ts', import.meta.url).href;

const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A fixed pseudo-random sequence (xorshift), so a failure can be replayed. */
function* numbers(count: number): Generator<number> {
  let x = 0x9e3779b9;
  for (let i = 0; i < count; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const u = (x >>> 0) / 2 ** 32;
    yield u * 10 ** ((i % 16) - 2);
    yield Math.round(u * 1e6) / 100; // two decimals: ties of the one-decimal rounding
  }
}

describe('number formatting', () => {
  it('counts: thousands separators and rounding as Intl en-US', () => {
    const edge = [0, -0, 0.5, 1.5, 2.5, -0.4, -2.5, 999.5, 1e21, 1.5e21, 1e-7, 123456789.5, NaN, Infinity, -Infinity];
    for (const n of [...edge, ...numbers(20_000)]) expect(formatCount(n), String(n)).toBe(COUNT.format(n));
    expect(countOf(1, 'row')).toBe('1 row');
    expect(countOf(1431, 'row')).toBe('1,431 rows');
  });

  it('sizes: one decimal below 100, rounded as Intl rounds the shortest decimal form (1.15 → 1.2)', () => {
    for (const v of [1.15, 0.05, 14.25, 99.94, 1.005, ...numbers(20_000)]) {
      const bytes = Math.floor(v * 1000) + 1000;
      const value = bytes / 1000;
      if (value < 100) expect(formatBytes(bytes), String(bytes)).toBe(`${ONE_DECIMAL.format(value)} kB`);
    }
    expect(formatBytes(1150)).toBe('1.2 kB');
    expect(formatBytes(812)).toBe('812 B');
    expect(formatBytes(194_000_000)).toBe('194 MB');
  });

  it('never constructs an Intl formatter', () => {
    const script = `globalThis.Intl = new Proxy(Intl, { get(t, k) { if (k === 'NumberFormat') throw new Error('Intl.NumberFormat used'); return t[k]; } });
      const f = await import(process.argv[1]); console.log(f.countOf(1234567, 'row'), f.formatBytes(14_200));`;
    const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script, formatModule], { encoding: 'utf8' });
    expect(out.trim()).toBe('1,234,567 rows 14.2 kB');
  });
});
