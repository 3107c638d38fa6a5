/**
 * How every CLI message writes numbers: thousands separated the same way whatever the machine's
 * locale (`1,431`), sizes in the unit that keeps them readable (`812 B`, `14.2 kB`, `194 MB`),
 * and counts with the right plural (`1 row`, `2 rows`).
 */
const COUNT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const ONE_DECIMAL = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

export function formatCount(n: number): string {
  return COUNT.format(n);
}

/** `1 row`, `1,431 rows`; `plural` defaults to `singular` + "s". */
export function countOf(n: number, singular: string, plural = `${singular}s`): string {
  return `${formatCount(n)} ${n === 1 ? singular : plural}`;
}

const UNITS = ['kB', 'MB', 'GB', 'TB'];

/** Decimal units like `ls -h --si` and browsers: one decimal below 100, none above. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${formatCount(bytes)} B`;
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 999.95 && unit < UNITS.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value < 100 ? ONE_DECIMAL.format(value) : formatCount(value)} ${UNITS[unit] ?? ''}`;
}

/** `3 of 41 MB` style: both sizes in the unit of the larger one would hide a small start, so each gets its own. */
export function formatBytesOf(done: number, total: number): string {
  return `${formatBytes(done)} of ${formatBytes(total)}`;
}
