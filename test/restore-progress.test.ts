import { describe, expect, it } from 'vitest';
import { formatCount, formatProgress, RateMeter } from '../src/restore/progress.js';

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

  it("shows each busy job session's work after the overall facts", () => {
    const jobs = [
      { job: 1, task: 'loading fief_users' },
      { job: 2, task: 'index on fief_audit_logs' },
      { job: 3, task: null },
    ];
    const line = formatProgress({ ...p, totalBytes: null, jobs }, 0, 200);
    expect(line).toBe('134 MB  public.pgbench_accounts  1,234,567 rows  [1] loading fief_users, [2] index on fief_audit_logs');
    expect(formatProgress({ ...p, totalBytes: null, jobs }, 0, 40)).toHaveLength(40);
  });

  it('groups thousands as before', () => {
    expect([0, 999, 1000, 1234567, -1234, 12.5].map((n) => formatCount(n))).toEqual(['0', '999', '1,000', '1,234,567', '-1,234', '12.5']);
  });

  it('measures rows per second over half-second windows', () => {
    const m = new RateMeter();
    expect(m.update(1000, 0.2)).toBe(0);
    expect(m.update(5000, 1)).toBe(5000);
    expect(m.update(8000, 1.2)).toBe(5000);
    expect(m.update(15000, 2)).toBe(7500);
  });
});
