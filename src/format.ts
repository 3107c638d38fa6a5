/**
 * How every CLI message writes numbers: thousands separated the same way whatever the machine's
 * locale (`1,431`), sizes in the unit that keeps them readable (`812 B`, `14.2 kB`, `194 MB`),
 * and counts with the right plural (`1 row`, `2 rows`).
 *
 * Written out rather than with `Intl.NumberFormat`: the first Intl formatter loads ICU's number
 * data, ~20 ms of every CLI run that prints a count. Rounding is Intl's (half away from zero, on
 * the shortest decimal form of the number: 1.15 → 1.2), so the output is the same.
 */

/** The shortest decimal form of |value| (what String() gives) as whole and fraction digits. */
function digitsOf(value: number): [whole: string, fraction: string] {
  const [mantissa = '0', exponent = '0'] = String(Math.abs(value)).split('e');
  const [int = '0', frac = ''] = mantissa.split('.');
  const digits = int + frac;
  const point = int.length + Number(exponent); // beyond 1e21 or below 1e-6, String() writes an exponent
  if (point <= 0) return ['0', '0'.repeat(-point) + digits];
  return [digits.slice(0, point).padEnd(point, '0'), digits.slice(point)];
}

/** `value` rounded to `digits` decimals, half away from zero, digit grouping with commas. */
function decimal(value: number, digits: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  const [whole, fraction] = digitsOf(value);
  let scaled = BigInt(whole + fraction.slice(0, digits).padEnd(digits, '0'));
  if ((fraction[digits] ?? '0') >= '5') scaled += 1n;
  const text = scaled.toString().padStart(digits + 1, '0');
  const int = text.slice(0, text.length - digits).replace(/\B(?=(\d{3})+$)/g, ',');
  const sign = value < 0 || Object.is(value, -0) ? '-' : '';
  return `${sign}${int}${digits > 0 ? `.${text.slice(-digits)}` : ''}`;
}

export function formatCount(n: number): string {
  return decimal(n, 0);
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
  return `${value < 100 ? decimal(value, 1) : formatCount(value)} ${UNITS[unit] ?? ''}`;
}

/** `3 of 41 MB` style: both sizes in the unit of the larger one would hide a small start, so each gets its own. */
export function formatBytesOf(done: number, total: number): string {
  return `${formatBytes(done)} of ${formatBytes(total)}`;
}
