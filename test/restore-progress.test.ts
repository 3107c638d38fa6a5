import { describe, expect, it } from 'vitest';
import { countOf, formatBytes, formatCount } from '../src/format.js';
import type { ImportProgress } from '../src/restore/index.js';
import { statementPhase } from '../src/restore/phase.js';
import { formatProgress, formatProgressLines, RateMeter } from '../src/restore/progress.js';

const loading: ImportProgress = {
  phase: 'loading',
  step: 0,
  jobs: [{ table: 'pgbench_accounts', rows: 1234567 }],
  bytesRead: 134e6,
  totalBytes: 537e6,
  table: 'public.pgbench_accounts',
  rows: 1234567,
  seconds: 4,
};

describe('import progress line', () => {
  it('shows the bar, bytes of total, the phase with its table, rows and rate within the width', () => {
    expect(formatProgress(loading, 320000.4, 120)).toBe('[###---------]  25%  134 MB of 537 MB  loading pgbench_accounts  1,234,567 rows  320,000 rows/s');
  });

  it('drops the bar before the facts when the terminal is narrow, and copes without a total', () => {
    expect(formatProgress(loading, 320000, 79)).toBe('134 MB of 537 MB  loading pgbench_accounts  1,234,567 rows  320,000 rows/s');
    expect(formatProgress({ ...loading, totalBytes: null, jobs: [], table: null }, 0, 79)).toBe('134 MB  loading tables  1,234,567 rows');
  });

  it('names the phases after the last row, and shows no rate there', () => {
    const done = { ...loading, bytesRead: 537e6, jobs: [], table: null };
    expect(formatProgress({ ...done, phase: 'indexes', step: 3 }, 1000, 120)).toBe('[############] 100%  537 MB of 537 MB  building indexes 3  1,234,567 rows');
    expect(formatProgress({ ...done, phase: 'constraints', step: 2 }, 1000, 120)).toMatch(/checking constraints 2 {2}1,234,567 rows$/);
    expect(formatProgress({ ...done, phase: 'verifying' }, 0, 120)).toMatch(/verifying row counts and checksums/);
    expect(formatProgress({ ...done, phase: 'committing' }, 0, 120)).toMatch(/committing {2}1,234,567 rows$/);
  });

  it('gives small files sizes that make sense and no "0 rows" before any row', () => {
    const small: ImportProgress = { ...loading, phase: 'schema', jobs: [], bytesRead: 812, totalBytes: 14_200, rows: 0 };
    expect(formatProgress(small, 0, 120)).toBe('[#-----------]   6%  812 B of 14.2 kB  creating tables');
    expect(formatProgress({ ...small, phase: 'loading', jobs: [{ table: 'fief_users', rows: 1 }], rows: 1 }, 0, 120)).toMatch(/loading fief_users {2}1 row$/);
  });

  it('adds one line per job when several tables load at once', () => {
    const parallel = { ...loading, jobs: [{ table: 'fief_users', rows: 1431 }, { table: 'fief_audit_logs', rows: 1 }] };
    expect(formatProgressLines(parallel, 0, 120)).toEqual([
      '[###---------]  25%  134 MB of 537 MB  loading 2 tables  1,234,567 rows',
      '  fief_users  1,431 rows',
      '  fief_audit_logs  1 row',
    ]);
  });

  it("shows each parallel job session's work on a line of its own, without a row count it does not know", () => {
    const jobs = [{ table: '[1] loading fief_users' }, { table: '[2] index on fief_audit_logs' }];
    expect(formatProgressLines({ ...loading, totalBytes: null, jobs }, 0, 200)).toEqual([
      '134 MB  loading 2 tables  1,234,567 rows',
      '  [1] loading fief_users',
      '  [2] index on fief_audit_logs',
    ]);
  });

  it('measures rows per second over half-second windows', () => {
    const m = new RateMeter();
    expect(m.update(1000, 0.2)).toBe(0);
    expect(m.update(5000, 1)).toBe(5000);
    expect(m.update(8000, 1.2)).toBe(5000);
    expect(m.update(15000, 2)).toBe(7500);
  });
});

describe('phases of statements', () => {
  it('knows index builds and constraint checks, quoted names or not', () => {
    expect(statementPhase(['create', 'unique', 'index'], 'CREATE UNIQUE INDEX i ON t (a)')).toBe('indexes');
    expect(statementPhase(['alter', 'table', 'only', 'add', 'constraint', 'primary', 'key'], 'ALTER TABLE ONLY "public"."t" ADD CONSTRAINT "t_pkey" PRIMARY KEY ("id")')).toBe('indexes');
    expect(statementPhase(['alter', 'table'], 'ALTER TABLE ONLY public.t ADD CONSTRAINT "a ""b"" c" FOREIGN KEY (x) REFERENCES u (id)')).toBe('constraints');
    expect(statementPhase(['alter', 'table'], 'ALTER TABLE t ADD COLUMN c integer')).toBeNull();
    expect(statementPhase(['create', 'table'], 'CREATE TABLE t (a int)')).toBeNull();
  });
});

describe('numbers, one way', () => {
  it('formats counts, plurals and sizes the same whatever the locale', () => {
    expect(formatCount(1431)).toBe('1,431');
    expect(countOf(1, 'row')).toBe('1 row');
    expect(countOf(0, 'row')).toBe('0 rows');
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(14_200)).toBe('14.2 kB');
    expect(formatBytes(194_000_000)).toBe('194 MB');
    expect(formatBytes(999_960)).toBe('1.0 MB');
    expect(formatBytes(2.5e9)).toBe('2.5 GB');
  });
});
