/**
 * The federation benchmark's runs, for either side: flat out (throughput), at a
 * steady rate (latency), and a long stream with the heap sampled (memory).
 *
 * Every pack is timestamped when it is handed to the side (performance.now())
 * and again when its item reaches the receiving side; both sides live in this
 * process, so the two times come from one clock.
 */
import { stableItemId } from '../../../lib/federation/pubsub';
import { quantile } from './stats';
import type { Side } from './sides';
import { prosodyPids, processCpuMs } from './testbed';
import {
  type NodeKind,
  RECORDS_PER_PACK,
  benchPack,
  freshNodeName,
  preparePacks,
} from './workload';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** CPU used (ms) by this process and by each Prosody server over a run. */
export interface CpuUse {
  bench: number;
  sen1: number;
  sen2: number;
}

function cpuMark(): () => CpuUse {
  const pids = prosodyPids();
  const ownStart = process.cpuUsage();
  const sen1Start = processCpuMs(pids.sen1);
  const sen2Start = processCpuMs(pids.sen2);
  return () => {
    const own = process.cpuUsage(ownStart);
    return {
      bench: (own.user + own.system) / 1000,
      sen1: processCpuMs(pids.sen1) - sen1Start,
      sen2: processCpuMs(pids.sen2) - sen2Start,
    };
  };
}

export interface RunResult {
  side: Side['name'];
  /** What was measured, e.g. "flat out, 64 in flight". */
  mode: string;
  packs: number;
  /** From the first pack handed over to the last one received (s). */
  seconds: number;
  packsPerSecond: number;
  recordsPerSecond: number;
  /** Publish → receive, ms, one per pack. */
  latencies: number[];
  /** CPU per pack (ms). */
  cpuPerPack: CpuUse;
  duplicates: number;
}

export class RunError extends Error {
  override name = 'RunError';
}

/**
 * Tracks which of the prepared packs arrived and when; resolves `complete` when
 * all have, and rejects it if that takes longer than the caller allows.
 */
class Arrivals {
  readonly receivedAt: Float64Array;
  received = 0;
  duplicates = 0;
  lastAt = 0;
  #done: (() => void) | undefined;

  constructor(
    readonly count: number,
    readonly indexOf: ReadonlyMap<string, number>,
  ) {
    this.receivedAt = new Float64Array(count).fill(Number.NaN);
  }

  readonly record = (itemId: string, at: number): void => {
    const index = this.indexOf.get(itemId);
    if (index === undefined) return;
    if (!Number.isNaN(this.receivedAt[index])) {
      this.duplicates++;
      return;
    }
    this.receivedAt[index] = at;
    this.lastAt = at;
    if (++this.received === this.count) this.#done?.();
  };

  complete(what: string, timeoutMs: number): Promise<void> {
    if (this.received === this.count) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new RunError(
              `${what}: ${this.received} of ${this.count} packs arrived within ${timeoutMs / 1000} s`,
            ),
          ),
        timeoutMs,
      );
      this.#done = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}

function result(
  side: Side['name'],
  mode: string,
  sentAt: Float64Array,
  arrivals: Arrivals,
  firstSent: number,
  cpu: CpuUse,
): RunResult {
  const packs = sentAt.length;
  const seconds = (arrivals.lastAt - firstSent) / 1000;
  const latencies: number[] = [];
  for (let i = 0; i < packs; i++) latencies.push(arrivals.receivedAt[i] - sentAt[i]);
  return {
    side,
    mode,
    packs,
    seconds,
    packsPerSecond: packs / seconds,
    recordsPerSecond: (packs * RECORDS_PER_PACK) / seconds,
    latencies,
    cpuPerPack: { bench: cpu.bench / packs, sen1: cpu.sen1 / packs, sen2: cpu.sen2 / packs },
    duplicates: arrivals.duplicates,
  };
}

/**
 * Flat out: keep `window` packs in flight (nodes: in the durable queue; bare:
 * publish iqs awaiting their result), handing over the next one as soon as one
 * is done with, until `count` packs have gone; then wait for all to arrive.
 */
export async function runFlatOut(
  side: Side,
  kind: NodeKind,
  stream: number,
  count: number,
  window: number,
): Promise<RunResult> {
  const prepared = preparePacks(stream, count);
  const arrivals = new Arrivals(count, prepared.indexOf);
  const trial = await side.openTrial(freshNodeName(`${side.name}-flat`), kind, arrivals.record);
  try {
    const sentAt = new Float64Array(count);
    const cpu = cpuMark();
    const firstSent = performance.now();
    let next = 0;
    while (next < count) {
      while (next < count && trial.inFlight() < window) {
        sentAt[next] = performance.now();
        trial.send(prepared.packs[next], prepared.ids[next]);
        next++;
      }
      if (next < count) await trial.progress();
      if (trial.failures.length > 0)
        throw new RunError(`${side.name}: publishing failed: ${trial.failures[0]}`);
    }
    await arrivals.complete(`${side.name} flat out`, Math.max(30_000, count * 30));
    const used = cpu();
    if (trial.failures.length > 0) throw new RunError(`${side.name}: ${trial.failures[0]}`);
    return result(side.name, `flat out, ${window} in flight`, sentAt, arrivals, firstSent, used);
  } finally {
    await trial.close();
  }
}

/**
 * Steady rate: hand over one pack every 1/rate s on a fixed schedule, whether
 * or not the earlier ones arrived (open loop); latency = arrival - hand-over.
 */
export async function runSteady(
  side: Side,
  kind: NodeKind,
  stream: number,
  count: number,
  packsPerSecond: number,
): Promise<RunResult> {
  const prepared = preparePacks(stream, count);
  const arrivals = new Arrivals(count, prepared.indexOf);
  const trial = await side.openTrial(freshNodeName(`${side.name}-steady`), kind, arrivals.record);
  try {
    const sentAt = new Float64Array(count);
    const interval = 1000 / packsPerSecond;
    const cpu = cpuMark();
    const start = performance.now();
    for (let i = 0; i < count; i++) {
      const wait = start + i * interval - performance.now();
      if (wait > 0.5) await sleep(wait);
      sentAt[i] = performance.now();
      trial.send(prepared.packs[i], prepared.ids[i]);
      if (trial.failures.length > 0)
        throw new RunError(`${side.name}: publishing failed: ${trial.failures[0]}`);
    }
    await arrivals.complete(`${side.name} at ${packsPerSecond} packs/s`, 30_000);
    const used = cpu();
    if (trial.failures.length > 0) throw new RunError(`${side.name}: ${trial.failures[0]}`);
    return result(side.name, `steady ${packsPerSecond} packs/s`, sentAt, arrivals, sentAt[0], used);
  } finally {
    await trial.close();
  }
}

export interface MemorySample {
  /** Records streamed since the first sample. */
  records: number;
  heapUsed: number;
  /** Memory of Buffers and other objects outside the heap. */
  external: number;
  rss: number;
  /** Seconds since the first sample. */
  at: number;
}

export interface MemoryResult {
  samples: MemorySample[];
  packs: number;
  seconds: number;
  packsPerSecond: number;
  duplicates: number;
}

const gc: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

export const canCollect = gc !== undefined;

function collectFully(): void {
  // Twice: the first pass may only queue finalizers and weak callbacks.
  gc?.();
  gc?.();
}

/**
 * Stream `warmup + checkpoints * packsPerCheckpoint` packs flat out through one
 * node; at each checkpoint wait until every pack sent has arrived and the sending
 * side is idle, collect garbage fully, and sample the memory. Packs and their
 * ids are made as they go, so the run itself keeps nothing per pack.
 */
export async function runMemory(
  side: Side,
  kind: NodeKind,
  stream: number,
  options: { warmup: number; checkpoints: number; packsPerCheckpoint: number; window: number },
  onSample?: (sample: MemorySample) => void,
): Promise<MemoryResult> {
  const pending = new Set<string>();
  let duplicates = 0;
  let received = 0;
  let wake: (() => void) | undefined;
  const onArrival = (itemId: string): void => {
    if (!pending.delete(itemId)) {
      duplicates++;
      return;
    }
    received++;
    wake?.();
  };
  const trial = await side.openTrial(freshNodeName(`${side.name}-memory`), kind, onArrival);
  const total = options.warmup + options.checkpoints * options.packsPerCheckpoint;
  const samples: MemorySample[] = [];
  let sent = 0;
  let firstSampleAt = 0;

  const settle = async (): Promise<void> => {
    const deadline = performance.now() + 60_000;
    while (received < sent || trial.inFlight() > 0) {
      if (performance.now() > deadline)
        throw new RunError(
          `${side.name} memory run: ${sent - received} packs still on their way after 60 s`,
        );
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 20);
      });
      wake = undefined;
    }
    // Let the queue's last fsync and the subscriber's last file write finish.
    await sleep(50);
  };
  const sample = (): void => {
    collectFully();
    const m = process.memoryUsage();
    const now = performance.now();
    if (samples.length === 0) firstSampleAt = now;
    const s: MemorySample = {
      records: (sent - options.warmup) * RECORDS_PER_PACK,
      heapUsed: m.heapUsed,
      external: m.external,
      rss: m.rss,
      at: (now - firstSampleAt) / 1000,
    };
    samples.push(s);
    onSample?.(s);
  };
  const sendUpTo = async (limit: number): Promise<void> => {
    while (sent < limit) {
      while (sent < limit && trial.inFlight() < options.window) {
        const pack = benchPack(stream, sent);
        const id = stableItemId(pack);
        pending.add(id);
        trial.send(pack, id);
        sent++;
      }
      if (sent < limit) await trial.progress();
      if (trial.failures.length > 0)
        throw new RunError(`${side.name}: publishing failed: ${trial.failures[0]}`);
    }
  };

  try {
    await sendUpTo(options.warmup);
    await settle();
    sample();
    const streamStart = performance.now();
    let pausedMs = 0;
    for (let c = 1; c <= options.checkpoints; c++) {
      await sendUpTo(options.warmup + c * options.packsPerCheckpoint);
      await settle();
      const pauseStart = performance.now();
      sample();
      pausedMs += performance.now() - pauseStart;
    }
    if (trial.failures.length > 0) throw new RunError(`${side.name}: ${trial.failures[0]}`);
    const streamed = total - options.warmup;
    const seconds = (performance.now() - streamStart - pausedMs) / 1000;
    return { samples, packs: streamed, seconds, packsPerSecond: streamed / seconds, duplicates };
  } finally {
    await trial.close();
  }
}

/** Latency percentiles of several runs pooled. */
export function pooledLatency(runs: readonly RunResult[]): {
  p50: number;
  p99: number;
  max: number;
  count: number;
} {
  const all = runs.flatMap((r) => r.latencies);
  return {
    p50: quantile(all, 0.5),
    p99: quantile(all, 0.99),
    max: quantile(all, 1),
    count: all.length,
  };
}
