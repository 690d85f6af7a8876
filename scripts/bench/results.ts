/**
 * The benchmark's record of a run: one JSON file per run under bench-results/
 * (git-ignored), so that runs can be compared with each other later.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

/** The repository's root, from dist/scripts/bench/. */
const ROOT = path.resolve(__dirname, '..', '..', '..');
export const RESULTS_DIR = path.join(ROOT, 'bench-results');

export interface Machine {
  hostname: string;
  platform: string;
  release: string;
  arch: string;
  cpus: number;
  cpuModel: string;
  cpuMHz: number;
  totalMemoryMb: number;
  node: string;
  v8: string;
  execArgv: string[];
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    hostname: os.hostname(),
    platform: os.platform(),
    release: os.release(),
    arch: os.arch(),
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    cpuMHz: cpus[0]?.speed ?? 0,
    totalMemoryMb: Math.round(os.totalmem() / (1024 * 1024)),
    node: process.version,
    v8: process.versions.v8,
    execArgv: process.execArgv,
  };
}

/** The 1, 5 and 15 minute load averages, two decimals. */
export function loadAverage(): [number, number, number] {
  const [one, five, fifteen] = os.loadavg().map((l) => Math.round(l * 100) / 100);
  return [one, five, fifteen];
}

/** Write one run's results; returns the file's path. `name` ends the file name ("senml"). */
export function writeResults(name: string, startedAt: Date, results: unknown): string {
  fs.mkdirSync(RESULTS_DIR, { recursive: true });
  // 2026-01-01T00-00-00.000Z: an ISO time without the colons some file systems refuse.
  const stamp = startedAt.toISOString().replace(/:/g, '-');
  const file = path.join(RESULTS_DIR, `${stamp}-${name}.json`);
  fs.writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  return file;
}
