import { describe, expect, it } from 'vitest';
import { formatProgress, RateMeter } from '../src/restore/progress.js';

describe('import progress line', () => {
  const p = { bytesRead: 134e6, totalBytes: 537e6, table: 'public.pgbench_accounts', rows: 1234567, seconds: 4 };

  it('shows the bar, bytes of total, table, rows and rate within the width', () => {
    const line = formatProgress(p, 320000.4, 120);
    expect(line).toBe('[#####---------------]  25%  134/537 MB  public.pgbench_accounts  1,234,567 rows  320,000 rows/s');
  });

  it('drops the bar before the facts when the terminal is narrow, and copes without a total', () => {
    expect(formatProgress(p, 320000, 79)).toBe('134/537 MB  public.pgbench_accounts  1,234,567 rows  320,000 rows/s');
    expect(formatProgress({ ...p, totalBytes: null, table: null }, 0, 79)).toBe('134 MB  (SQL)  1,234,567 rows');
  });

  it('measures rows per second over half-second windows', () => {
    const m = new RateMeter();
    expect(m.update(1000, 0.2)).toBe(0);
    expect(m.update(5000, 1)).toBe(5000);
    expect(m.update(8000, 1.2)).toBe(5000);
    expect(m.update(15000, 2)).toBe(7500);
  });
});
