/**
 * Timing for the benchmark: ours and a baseline measured in the same cell, their
 * samples interleaved so that both share whatever the machine is doing.
 */

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

/** Whether node runs with --expose-gc. */
export const canCollect = gc !== undefined;

/**
 * A full collection, when node allows it. Only between cells, before the warm-up:
 * right after a forced collection V8 runs several times slower for a while (new
 * space shrunk, sweeping in the background), which would land in the first batch.
 */
export function collect(): void {
  gc?.();
}

/** Results go here so that no run can be optimised away. */
let sink = 0;
function consume(result: unknown): void {
  if (typeof result === 'string') sink += result.length;
  else if (result instanceof Uint8Array) sink += result.byteLength;
  else if (Array.isArray(result)) sink += result.length;
  else sink += result === undefined ? 0 : 1;
}
export function sinkValue(): number {
  return sink;
}

export interface CellPlan {
  /** Wall time one timed batch of ours should take; the baseline's batch is sized the same way. */
  batchMs: number;
  /** Timed samples of each side; the median is reported. */
  samples: number;
  /** Untimed runs of each side before calibration, at least. */
  warmup: number;
  /** ... and for at least this long (ms), so that the optimising compiler has settled. */
  warmupMs: number;
}

export interface Side {
  /** Median milliseconds per operation. */
  ms: number;
  /** Every sample, in ms per operation, in the order taken. */
  sampleMs: number[];
  /** Operations per timed batch. */
  reps: number;
}

export interface CellResult {
  ours: Side;
  baseline: Side | undefined;
  /** Highest heap in use seen at the end of a timed batch, before it was collected (bytes). */
  peakHeapUsed: number;
}

let peakHeapUsed = 0;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** One timed batch: ms per operation. */
function batch(run: () => unknown, reps: number): number {
  const start = performance.now();
  for (let i = 0; i < reps; i++) consume(run());
  const perOp = (performance.now() - start) / reps;
  peakHeapUsed = Math.max(peakHeapUsed, process.memoryUsage().heapUsed);
  return perOp;
}

/** Operations per batch so that a batch takes about `batchMs`: double until 10 ms have been measured, then scale. */
function calibrate(run: () => unknown, batchMs: number): number {
  let reps = 1;
  for (;;) {
    const perOp = batch(run, reps);
    const elapsed = perOp * reps;
    if (elapsed >= Math.min(10, batchMs / 2) || reps >= 1 << 20)
      return Math.max(1, Math.round(batchMs / perOp));
    reps *= 2;
  }
}

/**
 * Measure ours (and a baseline, if given) on the same input: warm both up, size
 * the batches, then take `samples` batches of each, alternating which goes first.
 */
export function measureCell(
  ours: () => unknown,
  baseline: (() => unknown) | undefined,
  plan: CellPlan,
): CellResult {
  const { sides, peakHeapUsed } = measureSides(baseline ? [ours, baseline] : [ours], plan);
  return { ours: sides[0], baseline: sides[1], peakHeapUsed };
}

/**
 * Measure several ways of doing the same work (ours, the bare parse, the floor…)
 * on the same input: warm them all up, size each one's batches, then take
 * `samples` rounds of one batch of each, the order rotating from round to round
 * so that none always runs first (or right after a given other).
 */
export function measureSides(
  runs: readonly (() => unknown)[],
  plan: CellPlan,
): { sides: Side[]; peakHeapUsed: number } {
  collect();
  peakHeapUsed = 0;
  const warmupStart = performance.now();
  for (let i = 0; i < plan.warmup || performance.now() - warmupStart < plan.warmupMs; i++)
    for (const run of runs) consume(run());
  const reps = runs.map((run) => calibrate(run, plan.batchMs));
  const samples: number[][] = runs.map(() => []);
  for (let s = 0; s < plan.samples; s++) {
    for (let k = 0; k < runs.length; k++) {
      const which = (s + k) % runs.length;
      samples[which].push(batch(runs[which], reps[which]));
    }
  }
  collect();
  return {
    sides: samples.map((sampleMs, i) => ({ ms: median(sampleMs), sampleMs, reps: reps[i] })),
    peakHeapUsed,
  };
}

/** Noise of a side: median absolute deviation of its samples, relative to their median. */
export function spread(side: Side): number {
  return median(side.sampleMs.map((ms) => Math.abs(ms - side.ms))) / side.ms;
}
