/**
 * The one-line progress display of `fief-exporter import` (stderr, TTY only): bytes read of
 * the total, the table being loaded and the loading rate. Pure formatting, so it is testable.
 */
import type { ImportProgress } from './import-dump.js';

const BAR = 20;

/** One line of at most `width` characters; the bar is dropped first when space is short. */
export function formatProgress(p: ImportProgress, rowsPerSecond: number, width = 80): string {
  const size = p.totalBytes && p.totalBytes > 0 ? `${mb(p.bytesRead)}/${mb(p.totalBytes)} MB` : `${mb(p.bytesRead)} MB`;
  const rest = [size, p.table ?? '(SQL)', `${formatCount(p.rows)} rows`];
  if (rowsPerSecond > 0) rest.push(`${formatCount(Math.round(rowsPerSecond))} rows/s`);
  // A parallel load: what each job session does, after the overall facts (cut first when narrow).
  const busy = (p.jobs ?? []).filter((j) => j.task !== null).map((j) => `[${j.job}] ${j.task ?? ''}`);
  if (busy.length > 0) rest.push(busy.join(', '));
  const text = rest.join('  ');
  if (!p.totalBytes || p.totalBytes <= 0) return text.slice(0, width);
  const ratio = Math.min(1, p.bytesRead / p.totalBytes);
  const filled = Math.round(ratio * BAR);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%  `;
  return (bar.length + text.length <= width ? bar + text : text).slice(0, width);
}

/** Rows per second over the last half second or more, smoothed so the display does not jitter. */
export class RateMeter {
  private lastRows = 0;
  private lastSeconds = 0;
  private rate = 0;

  update(rows: number, seconds: number): number {
    const dt = seconds - this.lastSeconds;
    if (dt >= 0.5) {
      const current = Math.max(0, rows - this.lastRows) / dt;
      this.rate = this.rate === 0 ? current : 0.5 * this.rate + 0.5 * current;
      this.lastRows = rows;
      this.lastSeconds = seconds;
    }
    return this.rate;
  }
}

function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(0);
}

/** 1234567 → "1,234,567" (no toLocaleString: loading ICU costs the CLI ~30 ms of start-up). */
export function formatCount(n: number): string {
  const [int = '', frac] = String(n).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+$)/g, ',');
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}
