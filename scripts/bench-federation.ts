/**
 * Federation benchmark: `node --expose-gc dist/scripts/bench-federation.js`
 * (also run by `npm run bench`, after the SenML benchmark).
 *
 * On the local two-domain Prosody federation (scripts/federation/federation.sh,
 * started here and stopped at the end), packs of ten records go from
 * admin@sen1.test through a PubSub node on pubsub.sen1.test and s2s to a
 * subscriber on sen2.test, two ways, alternated round by round:
 *
 *   nodes  the Node-RED nodes' engines: Publisher + DurableQueue, Subscriber + SeenItems
 *   bare   @xmpp/client alone: the same publish iqs and payloads, no queue, no dedup
 *
 * and reports, against the project's goals:
 *
 *   throughput flat out (records/s, end to end)   nodes at least 80% of bare
 *   publish → receive latency p99 at a steady rate nodes at most 1.5x bare (median of the runs' p99)
 *   memory over 100,000 records through the nodes flat (heap and RSS after full GC)
 *
 * The PubSub nodes are transient (persist_items 0) for the comparisons, so that
 * what the clients cost shows; one more round on persistent nodes, as the
 * Publisher creates them, is reported alongside.
 *
 * It reports and exits 0 when it ran, whatever the goals say; it exits 1 when it
 * could not run (no Prosody, the test bed did not start, a run failed).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import {
  BareSide,
  NodesSide,
  QUEUE_SIZE,
  SEEN_CAPACITY,
  type Side,
} from './bench/federation/sides';
import {
  type MemoryResult,
  type RunResult,
  RunError,
  canCollect,
  pooledLatency,
  runFlatOut,
  runMemory,
  runSteady,
} from './bench/federation/runs';
import {
  type LineFit,
  formatCount,
  formatMs,
  formatRate,
  linearFit,
  mb,
  median,
  quantile,
  relativeRange,
  table,
} from './bench/federation/stats';
import {
  type Bed,
  ROOT,
  STATE_DIR,
  TestBedError,
  prosodyInstalled,
  startTestBed,
  stopTestBed,
} from './bench/federation/testbed';
import { type NodeKind, RECORDS_PER_PACK } from './bench/federation/workload';
import { DEFAULT_MAX_ITEMS } from '../lib/federation/publisher';

/** Rounds of each comparison; the sides alternate which goes first. */
const ROUNDS = 3;
/** Packs per flat-out run, and packs kept in flight. */
const FLAT_PACKS = 1000;
const WINDOW = 64;
/** Steady-rate runs: a modest rate, well below what either side can do. */
const STEADY_RATE = 50;
const STEADY_PACKS = 300;
/** Memory run: warm-up, then 10 checkpoints of 1,000 packs = 100,000 records. */
const MEMORY = { warmup: 1000, checkpoints: 10, packsPerCheckpoint: 1000, window: WINDOW };
/** Persistent nodes (as the Publisher creates them: see workload.ts): one round, reported only. */
const PERSISTENT_PACKS = 500;

/** Goals. */
const THROUGHPUT_GOAL = 0.8; // nodes / bare, records per second
const P99_GOAL = 1.5; // nodes p99 / bare p99
/**
 * Flat: fitted growth of heap used after full GC below this many bytes per
 * record (0.5 MB per 100,000 records). Keeping a single 22-character item id
 * per pack of 10 records would cost about 6 B/record; the slope's standard error
 * on this machine is well under 1 B/record (printed with the result).
 */
const HEAP_SLOPE_LIMIT = 5;
/** RSS moves with the allocator's pages: a looser bound (5 MB per 100,000 records). */
const RSS_SLOPE_LIMIT = 50;

interface Measured {
  flat: RunResult[];
  bareOneAtATime: RunResult[];
  steady: RunResult[];
  persistent: RunResult[];
  memory?: MemoryResult;
}

function prosodyVersion(): string {
  const out = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'prosody'], { encoding: 'utf8' });
  return out.status === 0 && out.stdout ? out.stdout.trim() : '?';
}

function xmppClientVersion(): string {
  try {
    return (
      (
        JSON.parse(
          readFileSync(join(ROOT, 'node_modules', '@xmpp', 'client', 'package.json'), 'utf8'),
        ) as { version?: string }
      ).version ?? '?'
    );
  } catch {
    return '?';
  }
}

const kiloRecords = (r: RunResult): string => formatRate(r.recordsPerSecond);

function progressLine(r: RunResult): string {
  const lat = pooledLatency([r]);
  return `${formatRate(r.packsPerSecond)} packs/s, ${formatRate(r.recordsPerSecond)} records/s, p50 ${formatMs(lat.p50)} ms, p99 ${formatMs(lat.p99)} ms (${r.seconds.toFixed(1)} s)`;
}

async function measure(nodes: NodesSide, bare: BareSide): Promise<Measured> {
  const measured: Measured = { flat: [], bareOneAtATime: [], steady: [], persistent: [] };
  let stream = 1;
  const step = async (
    label: string,
    run: () => Promise<RunResult>,
    into: RunResult[] | undefined,
  ): Promise<void> => {
    process.stdout.write(`  ${label.padEnd(46)} `);
    const r = await run();
    into?.push(r);
    process.stdout.write(`${progressLine(r)}\n`);
  };
  const kind: NodeKind = 'transient';

  console.log('Warm-up (not counted):');
  await step('nodes flat out', () => runFlatOut(nodes, kind, stream++, 300, WINDOW), undefined);
  await step('bare flat out', () => runFlatOut(bare, kind, stream++, 300, WINDOW), undefined);

  console.log(
    `Throughput: ${FLAT_PACKS} packs flat out per run, ${WINDOW} in flight, ${ROUNDS} rounds:`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    const order: Side[] = round % 2 === 1 ? [nodes, bare] : [bare, nodes];
    for (const side of order)
      await step(
        `round ${round}: ${side.name} flat out`,
        () => runFlatOut(side, kind, stream++, FLAT_PACKS, WINDOW),
        measured.flat,
      );
    await step(
      `round ${round}: bare, one publish at a time`,
      () => runFlatOut(bare, kind, stream++, FLAT_PACKS, 1),
      measured.bareOneAtATime,
    );
  }

  console.log(
    `Latency: ${STEADY_PACKS} packs at ${STEADY_RATE} packs/s per run, ${ROUNDS} rounds:`,
  );
  for (let round = 1; round <= ROUNDS; round++) {
    const order: Side[] = round % 2 === 1 ? [bare, nodes] : [nodes, bare];
    for (const side of order)
      await step(
        `round ${round}: ${side.name} steady`,
        () => runSteady(side, kind, stream++, STEADY_PACKS, STEADY_RATE),
        measured.steady,
      );
  }

  console.log(
    `Persistent nodes (persist_items, max_items ${DEFAULT_MAX_ITEMS}), ${PERSISTENT_PACKS} packs flat out, one round (reported only):`,
  );
  await step(
    'nodes flat out, persistent node',
    () => runFlatOut(nodes, 'persistent', stream++, PERSISTENT_PACKS, WINDOW),
    measured.persistent,
  );
  await step(
    'bare flat out, persistent node',
    () => runFlatOut(bare, 'persistent', stream++, PERSISTENT_PACKS, WINDOW),
    measured.persistent,
  );

  const total = MEMORY.checkpoints * MEMORY.packsPerCheckpoint * RECORDS_PER_PACK;
  console.log(
    `Memory: ${formatCount(total)} records (${formatCount(MEMORY.checkpoints * MEMORY.packsPerCheckpoint)} packs) through the nodes after ${formatCount(MEMORY.warmup)} warm-up packs; heap and RSS after full GC every ${formatCount(MEMORY.packsPerCheckpoint * RECORDS_PER_PACK)} records:`,
  );
  measured.memory = await runMemory(nodes, kind, stream++, MEMORY, (s) => {
    process.stdout.write(
      `  ${formatCount(s.records).padStart(7)} records: heap used ${mb(s.heapUsed).toFixed(2)} MB, RSS ${mb(s.rss).toFixed(1)} MB (${s.at.toFixed(1)} s)\n`,
    );
  });
  return measured;
}

interface Verdict {
  line: string;
  pass: boolean;
}

function report(m: Measured): void {
  const bySide = (runs: RunResult[], side: Side['name']): RunResult[] =>
    runs.filter((r) => r.side === side);
  const groups: { label: string; runs: RunResult[] }[] = [
    { label: 'nodes|transient|flat out, 64 in flight', runs: bySide(m.flat, 'nodes') },
    { label: 'bare|transient|flat out, 64 in flight', runs: bySide(m.flat, 'bare') },
    { label: 'bare|transient|flat out, 1 at a time', runs: m.bareOneAtATime },
    { label: `nodes|transient|steady ${STEADY_RATE} packs/s`, runs: bySide(m.steady, 'nodes') },
    { label: `bare|transient|steady ${STEADY_RATE} packs/s`, runs: bySide(m.steady, 'bare') },
    { label: 'nodes|persistent|flat out, 64 in flight', runs: bySide(m.persistent, 'nodes') },
    { label: 'bare|persistent|flat out, 64 in flight', runs: bySide(m.persistent, 'bare') },
  ];
  const header = [
    'side',
    'node',
    'run',
    'runs',
    'packs/s',
    'records/s',
    'spread',
    'p50 ms',
    'p99 ms',
    'p99 pooled',
    'max ms',
    'CPU ms/pack: bench',
    'sen1',
    'sen2',
  ];
  const rows = groups
    .filter((g) => g.runs.length > 0)
    .map((g) => {
      const [side, node, run] = g.label.split('|');
      const rates = g.runs.map((r) => r.recordsPerSecond);
      const lat = pooledLatency(g.runs);
      const cpu = (key: 'bench' | 'sen1' | 'sen2'): string =>
        median(g.runs.map((r) => r.cpuPerPack[key])).toFixed(2);
      return [
        side,
        node,
        run,
        String(g.runs.length),
        formatRate(median(g.runs.map((r) => r.packsPerSecond))),
        formatRate(median(rates)),
        `${(relativeRange(rates) * 100).toFixed(0)}%`,
        formatMs(lat.p50),
        formatMs(runP99(g.runs)),
        formatMs(lat.p99),
        formatMs(lat.max),
        cpu('bench'),
        cpu('sen1'),
        cpu('sen2'),
      ];
    });
  console.log('');
  console.log(table(header, rows, new Set([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13])));
  console.log(
    'packs/s, records/s: medians over the runs (end to end: first pack handed over to last one received on sen2); spread: (max - min) / median of the runs;\n' +
      "p50, p99 pooled, max: publish → receive latency over all packs of all runs pooled; p99: median over the runs of each run's p99 (a stall of the\n" +
      'machine in one run does not decide it); flat-out latencies include the queueing the window causes;\n' +
      'CPU ms/pack: this process (both the sending and the receiving side), and each Prosody server, per pack (median of the runs).',
  );

  const verdicts: Verdict[] = [];
  const nodesFlat = median(bySide(m.flat, 'nodes').map((r) => r.recordsPerSecond));
  const bareFlat = median(bySide(m.flat, 'bare').map((r) => r.recordsPerSecond));
  const throughputRatio = nodesFlat / bareFlat;
  verdicts.push({
    pass: throughputRatio >= THROUGHPUT_GOAL,
    line: `nodes throughput >= ${THROUGHPUT_GOAL * 100}% of bare: ${(throughputRatio * 100).toFixed(0)}% (${formatRate(nodesFlat)} vs ${formatRate(bareFlat)} records/s, medians of ${ROUNDS} rounds)`,
  });
  const nodesSteady = bySide(m.steady, 'nodes');
  const bareSteady = bySide(m.steady, 'bare');
  const nodesLat = pooledLatency(nodesSteady);
  const bareLat = pooledLatency(bareSteady);
  const p99Ratio = runP99(nodesSteady) / runP99(bareSteady);
  verdicts.push({
    pass: p99Ratio <= P99_GOAL,
    line:
      `nodes p99 latency <= ${P99_GOAL}x bare at ${STEADY_RATE} packs/s: ${p99Ratio.toFixed(2)}x (${formatMs(runP99(nodesSteady))} vs ${formatMs(runP99(bareSteady))} ms, median of ${ROUNDS} runs' p99; ` +
      `pooled over ${formatCount(nodesLat.count)} packs each: ${formatMs(nodesLat.p99)} vs ${formatMs(bareLat.p99)} ms = ${(nodesLat.p99 / bareLat.p99).toFixed(2)}x; p50 ${formatMs(nodesLat.p50)} vs ${formatMs(bareLat.p50)} ms)`,
  });

  const memory = m.memory;
  if (memory && memory.samples.length >= 3) {
    const s = memory.samples;
    const xs = s.map((x) => x.records);
    const heap = linearFit(
      xs,
      s.map((x) => x.heapUsed),
    );
    const rss = linearFit(
      xs,
      s.map((x) => x.rss),
    );
    console.log('');
    console.log(
      `Memory through the nodes: ${formatCount(xs[xs.length - 1])} records (${formatCount(memory.packs)} packs) at ${formatRate(memory.packsPerSecond * RECORDS_PER_PACK)} records/s, ` +
        `queue bound ${formatCount(QUEUE_SIZE)}, seen-items capacity ${formatCount(SEEN_CAPACITY)}${memory.duplicates > 0 ? `, ${memory.duplicates} duplicates` : ''}`,
    );
    console.log(
      table(
        [
          '',
          'start MB',
          'end MB',
          'min MB',
          'max MB',
          'slope B/record',
          '± SE',
          'growth MB per 100k records',
          'noise (residual SD) MB',
          'limit B/record',
        ],
        [
          [
            'heap used',
            ...memoryRow(
              s.map((x) => x.heapUsed),
              heap,
            ),
            String(HEAP_SLOPE_LIMIT),
          ],
          [
            'RSS',
            ...memoryRow(
              s.map((x) => x.rss),
              rss,
            ),
            String(RSS_SLOPE_LIMIT),
          ],
          [
            'external',
            ...memoryRow(
              s.map((x) => x.external),
              linearFit(
                xs,
                s.map((x) => x.external),
              ),
            ),
            '-',
          ],
        ],
        new Set([1, 2, 3, 4, 5, 6, 7, 8, 9]),
      ),
    );
    console.log(
      `(each sample taken once every pack sent had arrived, after two full collections; "flat": least-squares slope over the ${s.length} samples below ` +
        `${HEAP_SLOPE_LIMIT} B/record for heap used (keeping one 22-character item id per pack would be ~6 B/record) and below ${RSS_SLOPE_LIMIT} B/record for RSS, ` +
        "which moves with the allocator's pages)",
    );
    const pass = heap.slope < HEAP_SLOPE_LIMIT && rss.slope < RSS_SLOPE_LIMIT;
    verdicts.push({
      pass,
      line: `memory flat over ${formatCount(xs[xs.length - 1])} records through the nodes: heap ${mb(s[0].heapUsed).toFixed(2)} → ${mb(s[s.length - 1].heapUsed).toFixed(2)} MB (slope ${heap.slope.toFixed(1)} ± ${heap.slopeSe.toFixed(1)} B/record, limit ${HEAP_SLOPE_LIMIT}), RSS ${mb(s[0].rss).toFixed(1)} → ${mb(s[s.length - 1].rss).toFixed(1)} MB (slope ${rss.slope.toFixed(1)} ± ${rss.slopeSe.toFixed(1)} B/record, limit ${RSS_SLOPE_LIMIT})${canCollect ? '' : ' [no --expose-gc: samples not after GC]'}`,
    });
  }

  console.log('');
  for (const v of verdicts) console.log(`GOAL  ${v.pass ? 'PASS' : 'MISS'}  ${v.line}`);
  const oneAtATime = median(m.bareOneAtATime.map((r) => r.recordsPerSecond));
  console.log(
    `INFO  bare with one publish at a time: ${formatRate(oneAtATime)} records/s (${((oneAtATime / bareFlat) * 100).toFixed(0)}% of bare with ${WINDOW} in flight)`,
  );
  const persistentNodes = bySide(m.persistent, 'nodes')[0];
  const persistentBare = bySide(m.persistent, 'bare')[0];
  if (persistentNodes && persistentBare) {
    console.log(
      `INFO  persistent nodes (max_items ${DEFAULT_MAX_ITEMS}): nodes ${kiloRecords(persistentNodes)} vs bare ${kiloRecords(persistentBare)} records/s (${((persistentNodes.recordsPerSecond / persistentBare.recordsPerSecond) * 100).toFixed(0)}%); ` +
        `sen1 CPU ${persistentBare.cpuPerPack.sen1.toFixed(2)} ms/pack against ${median(bySide(m.flat, 'bare').map((r) => r.cpuPerPack.sen1)).toFixed(2)} on transient nodes`,
    );
  }
}

/** Median over the runs of each run's p99 latency. */
function runP99(runs: readonly RunResult[]): number {
  return median(runs.map((r) => quantile(r.latencies, 0.99)));
}

function memoryRow(values: number[], fit: LineFit): string[] {
  return [
    mb(values[0]).toFixed(2),
    mb(values[values.length - 1]).toFixed(2),
    mb(Math.min(...values)).toFixed(2),
    mb(Math.max(...values)).toFixed(2),
    fit.slope.toFixed(1),
    fit.slopeSe.toFixed(1),
    mb(fit.slope * 100_000).toFixed(2),
    mb(fit.residualSd).toFixed(2),
  ];
}

/** Run the benchmark; resolves with the exit code (0: it ran; 1: it could not). */
export async function main(): Promise<number> {
  const began = performance.now();
  const cpus = os.cpus();
  console.log(
    "Federation benchmark: SenML packs over PubSub from sen1.test to sen2.test (s2s, TLS), the nodes' engines against bare @xmpp/client",
  );
  console.log(
    `node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}, load average ${os.loadavg()[0].toFixed(2)}; ` +
      `@xmpp/client ${xmppClientVersion()}; full gc: ${canCollect ? 'yes' : 'no (run node with --expose-gc)'}`,
  );
  if (!prosodyInstalled()) {
    console.log('Prosody is not installed: federation.sh will try to install it (apt-get).');
  }

  let bed: Bed;
  try {
    process.stdout.write(
      `Starting the test bed (bash scripts/federation/federation.sh start, state in ${STATE_DIR}) ... `,
    );
    const started = await startTestBed();
    bed = started.bed;
    console.log(`ready in ${started.seconds.toFixed(1)} s; Prosody ${prosodyVersion()}`);
  } catch (err) {
    console.log('failed');
    const output =
      err instanceof TestBedError ? err.output.trim().split('\n').slice(-25).join('\n') : '';
    console.error(
      `\nERROR: the federation benchmark needs the local Prosody federation and it did not start: ${(err as Error).message}`,
    );
    if (output) console.error(`Last lines of federation.sh:\n${output}`);
    console.error(
      "Nothing was measured: the federation goals are not met. (federation.sh needs root, Debian's prosody, lua-unbound and openssl, and ports 5222/5269 free on 127.0.0.1 and 127.0.0.2.)",
    );
    await stopTestBed().catch(() => undefined);
    return 1;
  }

  let code = 0;
  let nodes: NodesSide | undefined;
  let bare: BareSide | undefined;
  try {
    const loginStart = performance.now();
    nodes = await NodesSide.connect(bed);
    bare = await BareSide.connect(bed);
    console.log(
      `Logged in: nodes as admin@sen1.test and bob@sen2.test (XmppSession), bare as admin@sen1.test and consumer@sen2.test (${((performance.now() - loginStart) / 1000).toFixed(1)} s)`,
    );
    console.log(
      `Packs of ${RECORDS_PER_PACK} records (~1.5 kB of SenML XML each); PubSub nodes on pubsub.sen1.test, whitelisted, transient (persist_items 0) unless said otherwise; ` +
        `nodes: queue bound ${QUEUE_SIZE}, seen-items file primed with ${SEEN_CAPACITY} ids (steady state).\n`,
    );
    const measured = await measure(nodes, bare);
    report(measured);
  } catch (err) {
    code = 1;
    const what = err instanceof RunError ? 'a run failed' : 'the benchmark failed';
    console.error(`\nERROR: ${what}: ${(err as Error).stack ?? String(err)}`);
    console.error('The federation goals could not be measured.');
  } finally {
    await nodes?.close().catch(() => undefined);
    await bare?.close().catch(() => undefined);
    try {
      await stopTestBed();
    } catch (err) {
      console.error(`warning: stopping the test bed failed: ${(err as Error).message}`);
    }
  }
  console.log(
    `\nFederation benchmark done in ${((performance.now() - began) / 1000).toFixed(1)} s.`,
  );
  return code;
}

if (require.main === module) {
  if (!canCollect && !process.execArgv.includes('--expose-gc')) {
    // The memory goal needs full collections: run again with them.
    const child = spawnSync(
      process.execPath,
      ['--expose-gc', ...process.execArgv, __filename, ...process.argv.slice(2)],
      { stdio: 'inherit' },
    );
    process.exit(child.status ?? 1);
  }
  main().then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
