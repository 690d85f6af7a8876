/**
 * SenML throughput benchmark: `npm run bench`.
 *
 * Every cell times our code and a bare baseline on the same input in the same
 * run, samples of the two interleaved, and reports the ratio of their medians
 * (ours / baseline) beside the project's goals:
 *
 *   decode + resolve JSON  at most 1.5x JSON.parse of the same text
 *   decode + resolve CBOR  at most 2x   cbor-x decode of the same bytes
 *   decode + resolve XML   reported     (against ltx.parse building the element tree)
 *   encode + compact JSON  at most 2x   JSON.stringify of the same resolved pack
 *   encode CBOR and XML    reported
 *
 * It reports and always exits 0 when it ran; it is not a test.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Decoder, Encoder } from 'cbor-x';
import { parse as ltxParse } from 'ltx';
import { senml } from '../lib';
import { START_TIME, baseFieldCounts, resolvedPack } from './bench/packs';
import {
  type CellPlan,
  type CellResult,
  canCollect,
  collect,
  measureCell,
  sinkValue,
  spread,
} from './bench/measure';

type Format = 'json' | 'cbor' | 'xml';
type Task = 'decode' | 'encode';

const SIZES = [10, 1_000, 100_000] as const;
const FORMATS: readonly Format[] = ['json', 'cbor', 'xml'];

/** Samples and batch sizes per pack size: a few hundred ms of ours per cell, fewer repetitions for the large packs. */
const PLANS: Readonly<Record<number, CellPlan>> = {
  10: { batchMs: 40, samples: 11, warmup: 500, warmupMs: 300 },
  1_000: { batchMs: 50, samples: 11, warmup: 30, warmupMs: 300 },
  100_000: { batchMs: 0, samples: 7, warmup: 2, warmupMs: 0 },
};

/** Goals (ours / baseline); undefined: reported only. */
const GOALS: Readonly<Record<Task, Partial<Record<Format, number>>>> = {
  decode: { json: 1.5, cbor: 2 },
  encode: { json: 2 },
};

const BASELINE_NAMES: Readonly<Record<Task, Record<Format, string | undefined>>> = {
  decode: { json: 'JSON.parse', cbor: 'cbor-x decode', xml: 'ltx.parse' },
  encode: { json: 'JSON.stringify', cbor: 'cbor-x encode', xml: undefined },
};

// The bare parsers and serialisers the library builds on, configured as it uses them.
const bareCborDecoder = new Decoder({ useRecords: false, mapsAsObjects: true });
const bareCborEncoder = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  useTag259ForMaps: false,
  tagUint8Array: false,
  variableMapSize: true,
} as ConstructorParameters<typeof Encoder>[0]);

/** ltx.parse: the XML parser of xmpp.js, building the whole element tree of the same text. */
function bareXmlParse(text: string): number {
  return ltxParse(text).children.length;
}

interface Row {
  task: Task;
  format: Format;
  size: number;
  baselineName: string | undefined;
  result: CellResult;
  goal: number | undefined;
}

interface MemoryNote {
  label: string;
  peakRssMb: number;
  peakHeapMb: number;
  retainedMb: number;
}

/** Holds one result while its heap is counted: written, never read, so the collector cannot free it. */
// eslint-disable-next-line @typescript-eslint/no-unused-vars
let keepAlive: unknown;

const mb = (bytes: number): number => bytes / (1024 * 1024);

function versionOf(name: string): string {
  try {
    let dir = path.dirname(require.resolve(name));
    for (;;) {
      const file = path.join(dir, 'package.json');
      if (fs.existsSync(file)) {
        const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as {
          name?: string;
          version?: string;
        };
        if (pkg.name === name) return pkg.version ?? '?';
      }
      const parent = path.dirname(dir);
      if (parent === dir) return '?';
      dir = parent;
    }
  } catch {
    return '?';
  }
}

function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  if (ms >= 0.1) return ms.toFixed(3);
  return ms.toFixed(4);
}

function formatRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)} M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)} k`;
  return perSecond.toFixed(0);
}

const formatCount = (n: number): string => n.toLocaleString('en-US');
const formatRatio = (ratio: number): string => `${ratio.toFixed(2)}x`;

function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function ratioOf(row: Row): number | undefined {
  return row.result.baseline ? row.result.ours.ms / row.result.baseline.ms : undefined;
}

function statusOf(row: Row): string {
  const ratio = ratioOf(row);
  if (row.goal === undefined || ratio === undefined) return 'info';
  return ratio <= row.goal ? 'PASS' : 'MISS';
}

function main(): void {
  const began = performance.now();
  const cpus = os.cpus();
  console.log(
    'SenML benchmark: decode + resolve and encode + compact against the bare parsers, measured in this run',
  );
  console.log(
    `node ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.arch()}, ${cpus.length} x ${cpus[0]?.model.trim() ?? 'unknown CPU'}; ` +
      `cbor-x ${versionOf('cbor-x')}, ltx ${versionOf('ltx')}; full gc between cells: ${canCollect ? 'yes' : 'no (run node with --expose-gc)'}`,
  );
  console.log(
    'Times are medians of per-operation times over interleaved samples; ratio = ours / baseline; lower is better.\n',
  );

  // Inputs: resolved packs, and the same packs as a device sends them (compacted) in each format.
  const fixedNow = (): number => START_TIME;
  const resolved = new Map<number, senml.ResolvedPack>();
  const inputs = new Map<number, Record<Format, string | Buffer>>();
  const packRows: string[][] = [];
  for (const size of SIZES) {
    const pack = resolvedPack(size);
    resolved.set(size, pack);
    const encoded = {
      json: senml.encode(pack, { format: 'json' }),
      cbor: senml.encode(pack, { format: 'cbor' }),
      xml: senml.encode(pack, { format: 'xml' }),
    };
    inputs.set(size, encoded);
    // The benchmark is only worth something if decode gives back exactly the pack that was encoded.
    for (const format of FORMATS) {
      const back = senml.decode(encoded[format], { format, now: fixedNow });
      if (JSON.stringify(back) !== JSON.stringify(pack))
        throw new Error(`decode(encode(pack)) differs from the pack: ${format}, ${size} records`);
    }
    const counts = baseFieldCounts(JSON.parse(encoded.json as string) as Record<string, unknown>[]);
    packRows.push([
      formatCount(size),
      formatCount(Buffer.byteLength(JSON.stringify(pack))),
      formatCount(Buffer.byteLength(encoded.json)),
      formatCount(encoded.cbor.length),
      formatCount(Buffer.byteLength(encoded.xml)),
      `${counts.bn} / ${counts.bt} / ${counts.bu} / ${counts.bv}`,
    ]);
  }
  console.log(
    'Packs: a sea buoy and three energy meters (RFC 9039 names), readings every few seconds; inputs compacted by senml.encode.',
  );
  console.log(
    table(
      ['records', 'resolved JSON B', 'JSON B', 'CBOR B', 'XML B', 'records with bn / bt / bu / bv'],
      packRows,
      new Set([0, 1, 2, 3, 4]),
    ),
  );
  console.log('');

  const rows: Row[] = [];
  const memory: MemoryNote[] = [];

  const runCell = (
    task: Task,
    format: Format,
    size: number,
    ours: () => unknown,
    baseline: (() => unknown) | undefined,
  ): void => {
    const label = `${task} ${format} ${formatCount(size)}`;
    process.stdout.write(`  measuring ${label} ...`);
    const cellStart = performance.now();
    const result = measureCell(ours, baseline, PLANS[size]);
    const ratio = result.baseline ? result.ours.ms / result.baseline.ms : undefined;
    process.stdout.write(
      ` ${formatMs(result.ours.ms)} ms${ratio === undefined ? '' : `, ${formatRatio(ratio)}`} (${((performance.now() - cellStart) / 1000).toFixed(1)} s)\n`,
    );
    rows.push({
      task,
      format,
      size,
      baselineName: BASELINE_NAMES[task][format],
      result,
      goal: GOALS[task][format],
    });
    if (size >= 100_000) {
      // What one result keeps alive, with the process's peaks so far.
      // Heap plus memory outside it (a Buffer's bytes live there).
      const used = (): number => {
        const m = process.memoryUsage();
        return m.heapUsed + m.external;
      };
      collect();
      const before = used();
      keepAlive = ours();
      collect();
      const retained = used() - before;
      keepAlive = undefined;
      memory.push({
        label,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        peakHeapMb: mb(result.peakHeapUsed),
        retainedMb: mb(Math.max(0, retained)),
      });
      collect();
    }
  };

  console.log(
    'Measuring (each cell: warm-up, calibration, then interleaved samples of ours and the baseline):',
  );
  for (const format of FORMATS) {
    for (const size of SIZES) {
      const input = inputs.get(size)![format];
      const options = { format, now: fixedNow };
      const ours = (): unknown => senml.decode(input, options);
      let baseline: () => unknown;
      if (format === 'json') baseline = () => JSON.parse(input as string);
      else if (format === 'cbor') baseline = () => bareCborDecoder.decode(input as Buffer);
      else baseline = () => bareXmlParse(input as string);
      runCell('decode', format, size, ours, baseline);
    }
  }
  for (const format of FORMATS) {
    for (const size of SIZES) {
      const pack = resolved.get(size)!;
      const options = { format };
      const ours = (): unknown => senml.encode(pack, options);
      let baseline: (() => unknown) | undefined;
      if (format === 'json') baseline = () => JSON.stringify(pack);
      else if (format === 'cbor') baseline = () => bareCborEncoder.encode(pack);
      runCell('encode', format, size, ours, baseline);
    }
  }

  console.log('');
  const header = [
    'task',
    'format',
    'records',
    'ours ms',
    'baseline',
    'base ms',
    'ours rec/s',
    'base rec/s',
    'ratio',
    'goal',
    'result',
    'noise',
  ];
  const body = rows.map((row) => {
    const ratio = ratioOf(row);
    const base = row.result.baseline;
    const noise = Math.max(spread(row.result.ours), base ? spread(base) : 0);
    return [
      row.task === 'decode' ? 'decode+resolve' : 'encode+compact',
      row.format.toUpperCase(),
      formatCount(row.size),
      formatMs(row.result.ours.ms),
      row.baselineName ?? '-',
      base ? formatMs(base.ms) : '-',
      formatRate((row.size * 1000) / row.result.ours.ms),
      base ? formatRate((row.size * 1000) / base.ms) : '-',
      ratio === undefined ? '-' : formatRatio(ratio),
      row.goal === undefined ? '-' : `<= ${row.goal}x`,
      statusOf(row),
      `${(noise * 100).toFixed(0)}%`,
    ];
  });
  console.log(table(header, body, new Set([2, 3, 5, 6, 7, 8, 11])));
  console.log(
    '(noise: median absolute deviation of the samples / their median, the worse of ours and the baseline; rec/s = records per second)\n',
  );

  console.log('Memory after the 100,000-record cells:');
  console.log(
    table(
      [
        'cell',
        'peak RSS so far MB',
        'peak heap used in cell MB',
        'one result retains MB (heap + external)',
      ],
      memory.map((m) => [
        m.label,
        m.peakRssMb.toFixed(0),
        m.peakHeapMb.toFixed(0),
        m.retainedMb.toFixed(1),
      ]),
      new Set([1, 2, 3]),
    ),
  );
  console.log('');

  // One line per goal.
  const summary = (task: Task, format: Format, what: string): void => {
    const cells = rows.filter((r) => r.task === task && r.format === format);
    const goal = GOALS[task][format];
    const ratios = cells
      .map((r) => `${formatCount(r.size)}: ${formatRatio(ratioOf(r) ?? NaN)}`)
      .join(', ');
    if (goal === undefined) {
      console.log(`INFO  ${what} (no goal): ${ratios}`);
      return;
    }
    const missed = cells.filter((r) => statusOf(r) === 'MISS').map((r) => formatCount(r.size));
    const verdict = missed.length === 0 ? 'PASS' : `MISS at ${missed.join(', ')} records`;
    console.log(`GOAL  ${what} <= ${goal}x: ${verdict}  (${ratios})`);
  };
  summary('decode', 'json', 'decode+resolve JSON vs JSON.parse');
  summary('decode', 'cbor', 'decode+resolve CBOR vs cbor-x decode');
  summary('encode', 'json', 'encode+compact JSON vs JSON.stringify');
  summary('decode', 'xml', 'decode+resolve XML vs ltx.parse');
  summary('encode', 'cbor', 'encode+compact CBOR vs cbor-x encode of the resolved pack');
  const xmlEncode = rows.filter((r) => r.task === 'encode' && r.format === 'xml');
  console.log(
    `INFO  encode+compact XML: ${xmlEncode.map((r) => `${formatCount(r.size)}: ${formatMs(r.result.ours.ms)} ms`).join(', ')}`,
  );
  console.log(
    `\nDone in ${((performance.now() - began) / 1000).toFixed(1)} s (checksum ${sinkValue() % 997}).`,
  );
}

main();

// Then the consent benchmark (scripts/bench-consent.ts), the devices benchmark
// (scripts/bench-devices.ts: lora decode and serial sensor, the latter on a socat pty) and the
// federation benchmark (scripts/bench-federation.ts), each in a process of its own; the last
// starts and stops the local Prosody federation. Each exits non-zero when it could not run.
// Then the SensorThings benchmark (scripts/bench-sensorthings.ts), on the local FROST-Server,
// started and stopped there; it exits 0 when FROST cannot start (it says why), non-zero when a
// run failed.
console.log('');
const consentStatus =
  spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'bench-consent.js')], {
    stdio: 'inherit',
  }).status ?? 1;
console.log('');
const devicesStatus =
  spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'bench-devices.js')], {
    stdio: 'inherit',
  }).status ?? 1;
console.log('');
const federationStatus =
  spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'bench-federation.js')], {
    stdio: 'inherit',
  }).status ?? 1;
console.log('');
const sensorthingsStatus =
  spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'bench-sensorthings.js')], {
    stdio: 'inherit',
  }).status ?? 1;
process.exitCode = consentStatus || devicesStatus || federationStatus || sensorthingsStatus;
