/**
 * The progress display of `fief-exporter import` (stderr, TTY only): the bar and bytes read of
 * the total, what the import is doing (phase), rows loaded and, only while rows move, the rate.
 * A parallel import's jobs get one line each under it. Pure formatting, so it is testable.
 */
import { countOf, formatBytes, formatBytesOf } from '../format.js';
import type { ImportProgress } from './import-dump.js';
import { phaseLabel } from './phase.js';

const BAR = 12;

/** The overall line, at most `width` characters; the bar is dropped first when space is short. */
export function formatProgress(p: ImportProgress, rowsPerSecond: number, width = 80): string {
  const known = p.totalBytes !== null && p.totalBytes > 0;
  const facts = [known ? formatBytesOf(p.bytesRead, p.totalBytes ?? 0) : formatBytes(p.bytesRead), phaseLabel(p.phase, p.step, p.jobs)];
  if (p.rows > 0 || p.phase === 'loading') facts.push(countOf(p.rows, 'row'));
  if (p.phase === 'loading' && rowsPerSecond > 0) facts.push(`${countOf(Math.round(rowsPerSecond), 'row')}/s`);
  const text = facts.join('  ');
  if (!known) return text.slice(0, width);
  const ratio = Math.min(1, p.bytesRead / (p.totalBytes ?? 1));
  const filled = Math.round(ratio * BAR);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(BAR - filled)}] ${(ratio * 100).toFixed(0).padStart(3)}%  `;
  return (bar.length + text.length <= width ? bar + text : text).slice(0, width);
}

/** The overall line, then one line per table when several load at once. */
export function formatProgressLines(p: ImportProgress, rowsPerSecond: number, width = 80): string[] {
  const lines = [formatProgress(p, rowsPerSecond, width)];
  if (p.jobs.length > 1) for (const job of p.jobs) lines.push(`  ${job.table}${job.rows === undefined ? '' : `  ${countOf(job.rows, 'row')}`}`.slice(0, width));
  return lines;
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
