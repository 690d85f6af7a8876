/** Small statistics and text-table helpers for the federation benchmark. */

/** The median (for an even count, the lower of the two middle values). */
export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

/**
 * The q-quantile of the values (0 ≤ q ≤ 1), by the nearest-rank method on the
 * sorted values: p99 of 1,000 latencies is the 990th smallest. NaN when empty.
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1];
}

/** Relative spread of repeated measurements: (max - min) / median. */
export function relativeRange(values: readonly number[]): number {
  if (values.length < 2) return 0;
  return (Math.max(...values) - Math.min(...values)) / median(values);
}

export interface LineFit {
  slope: number;
  intercept: number;
  /** Standard deviation of the residuals: the noise around the line. */
  residualSd: number;
  /** Standard error of the slope. */
  slopeSe: number;
}

/** Least-squares line through (x, y). */
export function linearFit(xs: readonly number[], ys: readonly number[]): LineFit {
  const n = xs.length;
  if (n < 3 || ys.length !== n)
    return {
      slope: Number.NaN,
      intercept: Number.NaN,
      residualSd: Number.NaN,
      slopeSe: Number.NaN,
    };
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i];
    sy += ys[i];
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (xs[i] - mx) ** 2;
    sxy += (xs[i] - mx) * (ys[i] - my);
  }
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (ys[i] - (intercept + slope * xs[i])) ** 2;
  const residualSd = Math.sqrt(rss / (n - 2));
  return { slope, intercept, residualSd, slopeSe: residualSd / Math.sqrt(sxx) };
}

export const mb = (bytes: number): number => bytes / (1024 * 1024);

export function formatRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return '-';
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e4) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}

export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  return ms.toFixed(2);
}

export const formatCount = (n: number): string => n.toLocaleString('en-US');

export function table(
  header: string[],
  rows: string[][],
  rightAligned: ReadonlySet<number>,
): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
