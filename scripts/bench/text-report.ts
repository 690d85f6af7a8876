/** Plain-text pieces the device and SensorThings benchmarks print their figures with. */
import * as os from 'node:os';

/** A count or rate as a whole number with thousands separators. */
export const rate = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The 1, 5 and 15 minute load averages. */
export const load = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

/** A table: the first column left-aligned, the others right-aligned, a rule under the header. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
      .join('  ');
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
