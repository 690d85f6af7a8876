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

function median(values: readonly number[]): number {
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
  collect();
  peakHeapUsed = 0;
  const warmupStart = performance.now();
  for (let i = 0; i < plan.warmup || performance.now() - warmupStart < plan.warmupMs; i++) {
    consume(ours());
    if (baseline) consume(baseline());
  }
  const oursReps = calibrate(ours, plan.batchMs);
  const baselineReps = baseline ? calibrate(baseline, plan.batchMs) : 0;
  const oursSamples: number[] = [];
  const baselineSamples: number[] = [];
  for (let s = 0; s < plan.samples; s++) {
    if (baseline && s % 2 === 1) baselineSamples.push(batch(baseline, baselineReps));
    oursSamples.push(batch(ours, oursReps));
    if (baseline && s % 2 === 0) baselineSamples.push(batch(baseline, baselineReps));
  }
  collect();
  return {
    ours: { ms: median(oursSamples), sampleMs: oursSamples, reps: oursReps },
    baseline: baseline
      ? { ms: median(baselineSamples), sampleMs: baselineSamples, reps: baselineReps }
      : undefined,
    peakHeapUsed,
  };
}

/** Noise of a side: median absolute deviation of its samples, relative to their median. */
export function spread(side: Side): number {
  return median(side.sampleMs.map((ms) => Math.abs(ms - side.ms))) / side.ms;
}
