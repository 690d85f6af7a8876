/**
 * The SenML codec benchmark: decode + resolve and encode + compact, on two pack
 * shapes, against the bare parsers and the floor, in one run.
 *
 * Every cell times our code, the bare parse or serialisation of the same input
 * and, for decode, the floor (the bare parse followed by the minimal resolver of
 * ./floor.ts), their samples interleaved, and reports ours / bare and
 * ours / floor against the goals of the "honest benchmarks" issue:
 *
 *   decode + resolve JSON  at most 1.1x the floor, every size and shape;
 *                          at most 1.3x JSON.parse at 10 records
 *   decode + resolve CBOR  at most 1.3x cbor-x decode at 1 000 and 100 000 records
 *   decode + resolve XML   at most 1.3x ltx.parse (building the element tree)
 *   encode + compact JSON  at most 2x JSON.stringify of the resolved pack
 *   encode CBOR and XML    reported
 *
 * The decode cells at 100 000 records are then measured again in child
 * processes under `node --max-semi-space-size=<MB>` (and without the flag, in a
 * child too, so that all are alike). Results go to bench-results/ as JSON.
 */
import { deepStrictEqual } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import * as v8 from 'v8';
import { Decoder, Encoder } from 'cbor-x';
import { type Element, parse as ltxParse } from 'ltx';
import { senml } from '../../lib';
import { floorCbor, floorJson, floorXml } from './floor';
import { gatewayPack } from './gateway-pack';
import {
  type CellPlan,
  type Side,
  canCollect,
  collect,
  measureSides,
  median,
  sinkValue,
  spread,
} from './measure';
import { START_TIME, baseFieldCounts, resolvedPack } from './packs';
import { type Machine, loadAverage, machine, writeResults } from './results';

type Format = 'json' | 'cbor' | 'xml';
type Task = 'decode' | 'encode';
type Shape = 'today' | 'gateway';
type Role = 'ours' | 'bare' | 'floor';

const SIZES = [10, 1_000, 100_000] as const;
const FORMATS: readonly Format[] = ['json', 'cbor', 'xml'];
const SHAPES: readonly Shape[] = ['today', 'gateway'];
const DEFAULT_SEMI_SPACES_MB = [16, 32, 64];
/** Each setting of --max-semi-space-size is run this many times, with fewer samples each. */
const SEMI_SPACE_ROUNDS = 2;
const SEMI_SPACE_PLAN: CellPlan = { batchMs: 0, samples: 5, warmup: 2, warmupMs: 0 };

const SHAPE_TEXT: Readonly<Record<Shape, string>> = {
  today:
    'a sea buoy and three energy meters (RFC 9039 names) in time order, compacted by senml.encode',
  gateway:
    'five devices batched by a gateway: bn + bt per batch, relative t, bv on a counter, vs/vb, 11 units, not in time order; written by hand',
};

/** Samples and batch sizes per pack size: a few hundred ms of each side per cell, fewer repetitions for the large packs. */
const PLANS: Readonly<Record<number, CellPlan>> = {
  10: { batchMs: 25, samples: 9, warmup: 500, warmupMs: 250 },
  1_000: { batchMs: 30, samples: 9, warmup: 30, warmupMs: 250 },
  100_000: { batchMs: 0, samples: 7, warmup: 2, warmupMs: 0 },
};

interface Goal {
  against: 'bare' | 'floor';
  max: number;
}

/** The goals of a cell (ours / bare or ours / floor at most `max`); none: reported only. */
function goalsOf(task: Task, format: Format, size: number): Goal[] {
  if (task === 'decode' && format === 'json') {
    const goals: Goal[] = [{ against: 'floor', max: 1.1 }];
    if (size === 10) goals.push({ against: 'bare', max: 1.3 });
    return goals;
  }
  if (task === 'decode' && format === 'cbor')
    return size >= 1_000 ? [{ against: 'bare', max: 1.3 }] : [];
  if (task === 'decode' && format === 'xml') return [{ against: 'bare', max: 1.3 }];
  if (task === 'encode' && format === 'json') return [{ against: 'bare', max: 2 }];
  return [];
}

const BARE_NAMES: Readonly<Record<Task, Record<Format, string | undefined>>> = {
  decode: { json: 'JSON.parse', cbor: 'cbor-x decode', xml: 'ltx.parse' },
  encode: { json: 'JSON.stringify', cbor: 'cbor-x encode', xml: undefined },
};

// The bare parsers and serialisers, configured as the library's CBOR is: plain RFC 8949, maps as objects.
// int64AsNumber: an integer above 2^32 (the gateway's energy counter) as a number, not a BigInt, as
// senml.decode gives it; an option cbor-x's type declarations leave out.
const bareCborDecoder = new Decoder({
  useRecords: false,
  mapsAsObjects: true,
  int64AsNumber: true,
} as ConstructorParameters<typeof Decoder>[0]);
const bareCborEncoder = new Encoder({
  useRecords: false,
  mapsAsObjects: true,
  useTag259ForMaps: false,
  tagUint8Array: false,
  variableMapSize: true,
} as ConstructorParameters<typeof Encoder>[0]);

const bareDecode: Readonly<Record<Format, (input: string | Buffer) => unknown>> = {
  json: (input) => JSON.parse(input as string),
  cbor: (input) => bareCborDecoder.decode(input as Buffer),
  // ltx.parse: the XML parser of xmpp.js, building the whole element tree of the same text.
  xml: (input) => ltxParse(input as string),
};

const floorDecode: Readonly<Record<Format, (input: string | Buffer) => unknown>> = {
  json: (input) => floorJson(JSON.parse(input as string), START_TIME),
  cbor: (input) => floorCbor(bareCborDecoder.decode(input as Buffer), START_TIME),
  xml: (input) => floorXml(ltxParse(input as string) as Element, START_TIME),
};

interface Inputs {
  /** The resolved pack: what decode must give, what encode is given. */
  resolved: senml.ResolvedPack;
  raw: Record<Format, string | Buffer>;
}

/** The packs of one shape and size, checked once: decode and the floor give the resolved pack. */
function inputsFor(shape: Shape, size: number, checked = true): Inputs {
  let inputs: Inputs;
  if (shape === 'today') {
    const pack = resolvedPack(size);
    inputs = {
      resolved: pack,
      raw: {
        json: senml.encode(pack, { format: 'json' }),
        cbor: senml.encode(pack, { format: 'cbor' }),
        xml: senml.encode(pack, { format: 'xml' }),
      },
    };
  } else {
    const pack = gatewayPack(size);
    inputs = { resolved: pack.expected, raw: { json: pack.json, cbor: pack.cbor, xml: pack.xml } };
  }
  // The benchmark is only worth something if both give exactly the expected pack.
  for (const format of checked ? FORMATS : []) {
    const input = inputs.raw[format];
    const what = `${shape} pack, ${format}, ${size} records`;
    check(
      () => senml.decode(input, { format, now: () => START_TIME }),
      inputs.resolved,
      `senml.decode: ${what}`,
    );
    check(() => floorDecode[format](input), inputs.resolved, `the floor: ${what}`);
  }
  return inputs;
}

function check(run: () => unknown, expected: senml.ResolvedPack, what: string): void {
  try {
    deepStrictEqual(run(), expected);
  } catch (err) {
    throw new Error(
      `bench: ${what} differs from the expected resolved pack: ${(err as Error).message.slice(0, 2000)}`,
      { cause: err },
    );
  }
}

interface SideResult {
  role: Role;
  name: string;
  side: Side;
}

export interface CellRecord {
  shape: Shape;
  task: Task;
  format: Format;
  size: number;
  /** ms per operation: median, every sample, operations per batch. */
  sides: {
    role: Role;
    name: string;
    medianMs: number;
    spread: number;
    reps: number;
    sampleMs: number[];
  }[];
  ratios: { oursOverBare?: number; oursOverFloor?: number; floorOverBare?: number };
  goals: { against: 'bare' | 'floor'; max: number; ratio: number; result: 'PASS' | 'MISS' }[];
  peakHeapUsedMb: number;
}

function cellRecord(
  shape: Shape,
  task: Task,
  format: Format,
  size: number,
  sides: SideResult[],
  peakHeapUsed: number,
): CellRecord {
  const ms = (role: Role): number | undefined => sides.find((s) => s.role === role)?.side.ms;
  const ours = ms('ours')!;
  const bare = ms('bare');
  const floor = ms('floor');
  const ratios = {
    oursOverBare: bare === undefined ? undefined : ours / bare,
    oursOverFloor: floor === undefined ? undefined : ours / floor,
    floorOverBare: bare === undefined || floor === undefined ? undefined : floor / bare,
  };
  return {
    shape,
    task,
    format,
    size,
    sides: sides.map((s) => ({
      role: s.role,
      name: s.name,
      medianMs: s.side.ms,
      spread: spread(s.side),
      reps: s.side.reps,
      sampleMs: s.side.sampleMs,
    })),
    ratios,
    goals: goalsOf(task, format, size).map((goal) => {
      const ratio = (goal.against === 'bare' ? ratios.oursOverBare : ratios.oursOverFloor) ?? NaN;
      return { ...goal, ratio, result: ratio <= goal.max ? 'PASS' : 'MISS' };
    }),
    peakHeapUsedMb: mb(peakHeapUsed),
  };
}

/** Time one decode cell: ours, the bare parse, the floor. */
function decodeCell(
  shape: Shape,
  format: Format,
  size: number,
  inputs: Inputs,
  plan = PLANS[size],
): CellRecord {
  const input = inputs.raw[format];
  const options = { format, now: () => START_TIME };
  const runs: [Role, string, () => unknown][] = [
    ['ours', 'senml.decode', () => senml.decode(input, options)],
    ['bare', BARE_NAMES.decode[format]!, () => bareDecode[format](input)],
    ['floor', 'floor', () => floorDecode[format](input)],
  ];
  return timeCell(shape, 'decode', format, size, runs, plan);
}

/** Time one encode cell: ours and, for JSON and CBOR, the bare serialiser of the resolved pack. */
function encodeCell(shape: Shape, format: Format, size: number, inputs: Inputs): CellRecord {
  const pack = inputs.resolved;
  const options = { format };
  const runs: [Role, string, () => unknown][] = [
    ['ours', 'senml.encode', () => senml.encode(pack, options)],
  ];
  if (format === 'json') runs.push(['bare', 'JSON.stringify', () => JSON.stringify(pack)]);
  if (format === 'cbor') runs.push(['bare', 'cbor-x encode', () => bareCborEncoder.encode(pack)]);
  return timeCell(shape, 'encode', format, size, runs, PLANS[size]);
}

function timeCell(
  shape: Shape,
  task: Task,
  format: Format,
  size: number,
  runs: [Role, string, () => unknown][],
  plan: CellPlan,
): CellRecord {
  const { sides, peakHeapUsed } = measureSides(
    runs.map(([, , run]) => run),
    plan,
  );
  return cellRecord(
    shape,
    task,
    format,
    size,
    runs.map(([role, name], i) => ({ role, name, side: sides[i] })),
    peakHeapUsed,
  );
}

const mb = (bytes: number): number => bytes / (1024 * 1024);

function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '-';
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 10) return ms.toFixed(1);
  if (ms >= 1) return ms.toFixed(2);
  if (ms >= 0.1) return ms.toFixed(3);
  return ms.toFixed(4);
}

const formatCount = (n: number): string => n.toLocaleString('en-US');
const formatRatio = (ratio: number | undefined): string =>
  ratio === undefined ? '-' : `${ratio.toFixed(2)}x`;

function table(header: string[], rows: string[][], rightAligned: ReadonlySet<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

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

const sideMs = (cell: CellRecord, role: Role): number | undefined =>
  cell.sides.find((s) => s.role === role)?.medianMs;

function cellLine(cell: CellRecord): string {
  const ratios = [
    cell.ratios.oursOverBare === undefined ? '' : `${formatRatio(cell.ratios.oursOverBare)} bare`,
    cell.ratios.oursOverFloor === undefined
      ? ''
      : `${formatRatio(cell.ratios.oursOverFloor)} floor`,
  ]
    .filter((r) => r !== '')
    .join(', ');
  return `${formatMs(sideMs(cell, 'ours'))} ms${ratios === '' ? '' : `, ${ratios}`}`;
}

function resultTable(cells: readonly CellRecord[]): string {
  const rows = cells.map((cell) => {
    const noise = Math.max(...cell.sides.map((s) => s.spread));
    return [
      cell.shape,
      cell.task === 'decode' ? 'decode+resolve' : 'encode+compact',
      cell.format.toUpperCase(),
      formatCount(cell.size),
      formatMs(sideMs(cell, 'ours')),
      BARE_NAMES[cell.task][cell.format] ?? '-',
      formatMs(sideMs(cell, 'bare')),
      formatMs(sideMs(cell, 'floor')),
      formatRatio(cell.ratios.oursOverBare),
      formatRatio(cell.ratios.oursOverFloor),
      formatRatio(cell.ratios.floorOverBare),
      cell.goals.map((g) => `<=${g.max}x ${g.against} ${g.result}`).join('; ') || 'info',
      `${(noise * 100).toFixed(0)}%`,
    ];
  });
  return table(
    [
      'shape',
      'task',
      'format',
      'records',
      'ours ms',
      'bare',
      'bare ms',
      'floor ms',
      'ours/bare',
      'ours/floor',
      'floor/bare',
      'goals',
      'noise',
    ],
    rows,
    new Set([3, 4, 6, 7, 8, 9, 10, 12]),
  );
}

interface SemiSpaceRun {
  /** undefined: node's default. */
  semiSpaceMb: number | undefined;
  cells: CellRecord[];
  /** New space's size at the end of the run (it grows up to twice the semi-space), MB. */
  newSpaceMb: number;
  error?: string;
}

/** The decode cells at 100 000 records that are measured again under each --max-semi-space-size (XML left out: runtime). */
const SEMI_SPACE_CELLS: readonly [Shape, Format][] = [
  ['today', 'json'],
  ['gateway', 'json'],
  ['gateway', 'cbor'],
];

/** Run in a child process: the 100 000-record decode cells, results as one JSON line on stdout. */
export function runSemiSpaceChild(): void {
  const size = 100_000;
  const inputs = new Map<Shape, Inputs>();
  const cells: CellRecord[] = [];
  for (const [shape, format] of SEMI_SPACE_CELLS) {
    // The same packs as the parent's, which checked them.
    if (!inputs.has(shape)) inputs.set(shape, inputsFor(shape, size, false));
    cells.push(decodeCell(shape, format, size, inputs.get(shape)!, SEMI_SPACE_PLAN));
  }
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  process.stdout.write(`${JSON.stringify({ cells, newSpaceMb: mb(newSpace?.space_size ?? 0) })}\n`);
}

function runSemiSpace(semiSpaceMb: number | undefined): SemiSpaceRun {
  const entry = path.join(__dirname, '..', 'bench-senml.js');
  const flags = [
    '--expose-gc',
    ...(semiSpaceMb === undefined ? [] : [`--max-semi-space-size=${semiSpaceMb}`]),
  ];
  const child = spawnSync(process.execPath, [...flags, entry, '--semi-space-child'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const lastLine = child.stdout.trim().split('\n').pop() ?? '';
  try {
    const parsed = JSON.parse(lastLine) as { cells: CellRecord[]; newSpaceMb: number };
    return { semiSpaceMb, cells: parsed.cells, newSpaceMb: parsed.newSpaceMb };
  } catch {
    return {
      semiSpaceMb,
      cells: [],
      newSpaceMb: 0,
      error: `${child.stderr}`.slice(0, 2000) || `exit ${child.status}`,
    };
  }
}

/** Runs of the flag repeated measure the same cells twice: one cell each, every sample of every run, medians again. */
function pooledRun(runs: readonly SemiSpaceRun[]): SemiSpaceRun {
  const good = runs.filter((r) => r.error === undefined);
  const first = good[0] ?? runs[0];
  if (good.length === 0) return first;
  const cells = first.cells.map((cell) => {
    const same = good.flatMap((r) =>
      r.cells.filter((c) => c.shape === cell.shape && c.format === cell.format),
    );
    const sides = cell.sides.map((side) => {
      const sampleMs = same.flatMap((c) => c.sides.find((s) => s.role === side.role)!.sampleMs);
      return {
        role: side.role,
        name: side.name,
        side: { ms: median(sampleMs), sampleMs, reps: side.reps },
      };
    });
    return cellRecord(
      cell.shape,
      cell.task,
      cell.format,
      cell.size,
      sides,
      Math.max(...same.map((c) => c.peakHeapUsedMb)) * 1024 * 1024,
    );
  });
  return {
    semiSpaceMb: first.semiSpaceMb,
    cells,
    newSpaceMb: Math.max(...good.map((r) => r.newSpaceMb)),
  };
}

function semiSpaceTable(runs: readonly SemiSpaceRun[]): string {
  const baseline = runs.find((r) => r.semiSpaceMb === undefined);
  const rows: string[][] = [];
  for (const [shape, format] of SEMI_SPACE_CELLS) {
    const without = baseline?.cells.find((c) => c.shape === shape && c.format === format);
    for (const run of runs) {
      const cell = run.cells.find((c) => c.shape === shape && c.format === format);
      if (!cell) {
        rows.push([
          `${shape} ${format.toUpperCase()}`,
          flagText(run),
          run.error?.split('\n')[0] ?? 'no result',
          '',
          '',
          '',
          '',
          '',
          '',
        ]);
        continue;
      }
      const ours = sideMs(cell, 'ours')!;
      const withoutMs = without ? sideMs(without, 'ours') : undefined;
      rows.push([
        `${shape} ${format.toUpperCase()}`,
        flagText(run),
        formatMs(ours),
        formatMs(sideMs(cell, 'bare')),
        formatMs(sideMs(cell, 'floor')),
        formatRatio(cell.ratios.oursOverBare),
        formatRatio(cell.ratios.oursOverFloor),
        withoutMs === undefined ? '-' : `${(((ours - withoutMs) / withoutMs) * 100).toFixed(0)}%`,
        run.newSpaceMb.toFixed(0),
      ]);
    }
  }
  return table(
    [
      'decode 100,000',
      'node flag',
      'ours ms',
      'bare ms',
      'floor ms',
      'ours/bare',
      'ours/floor',
      'ours vs no flag',
      'new space MB',
    ],
    rows,
    new Set([2, 3, 4, 5, 6, 7, 8]),
  );
}

const flagText = (run: SemiSpaceRun): string =>
  run.semiSpaceMb === undefined ? '(none)' : `--max-semi-space-size=${run.semiSpaceMb}`;

/** `--semi-space=16,32,64` (the default), or `--semi-space=` / `--no-semi-space` to skip those runs. */
function semiSpacesFrom(args: readonly string[]): number[] {
  if (args.includes('--no-semi-space')) return [];
  const given = args.find((a) => a.startsWith('--semi-space='));
  if (given === undefined) return DEFAULT_SEMI_SPACES_MB;
  return given
    .slice('--semi-space='.length)
    .split(',')
    .filter((s) => s.trim() !== '')
    .map((s) => {
      const value = Number(s);
      if (!Number.isInteger(value) || value <= 0)
        throw new Error(`bench: --semi-space takes sizes in MB, got ${s}`);
      return value;
    });
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

/** What one result of `run` keeps alive (heap plus memory outside it: a Buffer's bytes), MB. */
function retainedMb(run: () => unknown): number {
  const used = (): number => {
    const m = process.memoryUsage();
    return m.heapUsed + m.external;
  };
  collect();
  const before = used();
  keepAlive = run();
  collect();
  const retained = used() - before;
  keepAlive = undefined;
  collect();
  return mb(Math.max(0, retained));
}

export interface SenmlResults {
  benchmark: 'senml';
  startedAt: string;
  seconds: number;
  machine: Machine;
  libraries: Record<string, string>;
  loadAverage: { start: [number, number, number]; end: [number, number, number] };
  fullGcBetweenCells: boolean;
  shapes: Record<Shape, string>;
  packs: {
    shape: Shape;
    size: number;
    bytes: Record<Format | 'resolvedJson', number>;
    baseFields: Record<string, number>;
  }[];
  cells: CellRecord[];
  memory: MemoryNote[];
  semiSpace: { runs: SemiSpaceRun[]; pooled: SemiSpaceRun[] };
}

/** The whole SenML benchmark, printed and written to bench-results/. Arguments: see semiSpacesFrom. */
export function runSenmlBenchmark(args: readonly string[]): void {
  const startedAt = new Date();
  const began = performance.now();
  const semiSpaces = semiSpacesFrom(args);
  const loadStart = loadAverage();
  const host = machine();
  const libraries = { 'cbor-x': versionOf('cbor-x'), ltx: versionOf('ltx') };
  console.log(
    'SenML benchmark: decode + resolve and encode + compact against the bare parsers and the floor, measured in this run',
  );
  console.log(
    `node ${host.node} (V8 ${host.v8}), ${host.platform} ${host.arch}, ${host.cpus} x ${host.cpuModel}; ` +
      `cbor-x ${libraries['cbor-x']}, ltx ${libraries.ltx}; full gc between cells: ${canCollect ? 'yes' : 'no (run node with --expose-gc)'}`,
  );
  console.log(`Load average at start: ${loadStart.join(' ')} (1, 5, 15 min; ${host.cpus} CPUs)`);
  console.log(
    'Times are medians of per-operation times over interleaved samples; lower is better. bare: the parse (or serialisation) alone;\n' +
      'floor: the parse plus a minimal single-pass resolver (names, times, base values, sort; no validation). ours/floor = how far from the limit.\n',
  );

  const inputs = new Map<string, Inputs>();
  const packs: SenmlResults['packs'] = [];
  const packRows: string[][] = [];
  for (const shape of SHAPES) {
    console.log(`Pack "${shape}": ${SHAPE_TEXT[shape]}.`);
    for (const size of SIZES) {
      const pack = inputsFor(shape, size);
      inputs.set(`${shape} ${size}`, pack);
      const bytes = {
        resolvedJson: Buffer.byteLength(JSON.stringify(pack.resolved)),
        json: Buffer.byteLength(pack.raw.json),
        cbor: pack.raw.cbor.length,
        xml: Buffer.byteLength(pack.raw.xml),
      };
      const baseFields = baseFieldCounts(
        JSON.parse(pack.raw.json as string) as Record<string, unknown>[],
      );
      packs.push({ shape, size, bytes, baseFields });
      packRows.push([
        shape,
        formatCount(size),
        formatCount(bytes.resolvedJson),
        formatCount(bytes.json),
        formatCount(bytes.cbor),
        formatCount(bytes.xml),
        `${baseFields.bn} / ${baseFields.bt} / ${baseFields.bu} / ${baseFields.bv}`,
      ]);
    }
  }
  console.log(
    table(
      [
        'shape',
        'records',
        'resolved JSON B',
        'JSON B',
        'CBOR B',
        'XML B',
        'records with bn / bt / bu / bv',
      ],
      packRows,
      new Set([1, 2, 3, 4, 5]),
    ),
  );
  console.log(
    '(every input checked once: senml.decode and the floor each give exactly the expected resolved pack)\n',
  );

  const cells: CellRecord[] = [];
  const memory: MemoryNote[] = [];
  console.log(
    'Measuring (each cell: warm-up, calibration, then interleaved samples of every side):',
  );
  const measure = (
    label: string,
    cell: () => CellRecord,
    ours: () => unknown,
    size: number,
  ): void => {
    process.stdout.write(`  ${label} ...`);
    const cellStart = performance.now();
    const result = cell();
    cells.push(result);
    process.stdout.write(
      ` ${cellLine(result)} (${((performance.now() - cellStart) / 1000).toFixed(1)} s)\n`,
    );
    if (size >= 100_000)
      memory.push({
        label,
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        peakHeapMb: result.peakHeapUsedMb,
        retainedMb: retainedMb(ours),
      });
  };
  for (const shape of SHAPES)
    for (const format of FORMATS)
      for (const size of SIZES) {
        const pack = inputs.get(`${shape} ${size}`)!;
        const options = { format, now: () => START_TIME };
        measure(
          `decode ${shape} ${format} ${formatCount(size)}`,
          () => decodeCell(shape, format, size, pack),
          () => senml.decode(pack.raw[format], options),
          size,
        );
      }
  for (const shape of SHAPES)
    for (const format of FORMATS)
      for (const size of SIZES) {
        const pack = inputs.get(`${shape} ${size}`)!;
        measure(
          `encode ${shape} ${format} ${formatCount(size)}`,
          () => encodeCell(shape, format, size, pack),
          () => senml.encode(pack.resolved, { format }),
          size,
        );
      }
  inputs.clear();
  collect();

  console.log('');
  console.log(resultTable(cells));
  console.log(
    '(noise: median absolute deviation of the samples / their median, the worst side; ratios are of medians)\n',
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

  const semiSpace: { runs: SemiSpaceRun[]; pooled: SemiSpaceRun[] } = { runs: [], pooled: [] };
  if (semiSpaces.length > 0) {
    console.log(
      `Decode at 100,000 records in child processes, without the flag and under --max-semi-space-size=${semiSpaces.join(', ')} (MB),\n` +
        `${SEMI_SPACE_ROUNDS} rounds, the second in reverse order, so that a change of load does not favour one setting:`,
    );
    const settings = [undefined, ...semiSpaces];
    for (let round = 0; round < SEMI_SPACE_ROUNDS; round++) {
      for (const mbSize of round % 2 === 0 ? settings : [...settings].reverse()) {
        const start = performance.now();
        const run = runSemiSpace(mbSize);
        semiSpace.runs.push(run);
        console.log(
          `  ${flagText(run)}: ${run.error ? `failed: ${run.error.split('\n')[0]}` : run.cells.map(cellLine).join(' | ')} (${((performance.now() - start) / 1000).toFixed(1)} s)`,
        );
      }
    }
    semiSpace.pooled = settings.map((mbSize) =>
      pooledRun(semiSpace.runs.filter((r) => r.semiSpaceMb === mbSize)),
    );
    console.log('\nSamples of both rounds pooled:');
    console.log(semiSpaceTable(semiSpace.pooled));
    console.log('');
  }

  // One line per goal, as the issue states them.
  const goalLine = (what: string, picked: CellRecord[], against: 'bare' | 'floor'): void => {
    const goals = picked.flatMap((c) =>
      c.goals.filter((g) => g.against === against).map((g) => ({ cell: c, goal: g })),
    );
    if (goals.length === 0) return;
    const missed = goals.filter((g) => g.goal.result === 'MISS');
    const listed = goals
      .map((g) => `${g.cell.shape} ${formatCount(g.cell.size)}: ${formatRatio(g.goal.ratio)}`)
      .join(', ');
    console.log(
      `${missed.length === 0 ? 'PASS' : 'MISS'}  ${what} <= ${goals[0].goal.max}x  (${listed})`,
    );
  };
  const of = (task: Task, format: Format): CellRecord[] =>
    cells.filter((c) => c.task === task && c.format === format);
  goalLine('decode+resolve JSON vs the floor, every size and shape', of('decode', 'json'), 'floor');
  goalLine('decode+resolve JSON vs JSON.parse at 10 records', of('decode', 'json'), 'bare');
  goalLine(
    'decode+resolve CBOR vs cbor-x decode at 1,000 and 100,000',
    of('decode', 'cbor'),
    'bare',
  );
  goalLine('decode+resolve XML vs ltx.parse', of('decode', 'xml'), 'bare');
  goalLine('encode+compact JSON vs JSON.stringify', of('encode', 'json'), 'bare');
  const info = (
    what: string,
    picked: CellRecord[],
    ratio: (c: CellRecord) => number | undefined,
  ): void =>
    console.log(
      `INFO  ${what}: ${picked.map((c) => `${c.shape} ${formatCount(c.size)}: ${formatRatio(ratio(c))}`).join(', ')}`,
    );
  info('decode+resolve CBOR vs the floor', of('decode', 'cbor'), (c) => c.ratios.oursOverFloor);
  info('decode+resolve XML vs the floor', of('decode', 'xml'), (c) => c.ratios.oursOverFloor);
  info(
    'encode+compact CBOR vs cbor-x encode of the resolved pack',
    of('encode', 'cbor'),
    (c) => c.ratios.oursOverBare,
  );

  const loadEnd = loadAverage();
  const seconds = (performance.now() - began) / 1000;
  const file = writeResults('senml', startedAt, {
    benchmark: 'senml',
    startedAt: startedAt.toISOString(),
    seconds,
    machine: host,
    libraries,
    loadAverage: { start: loadStart, end: loadEnd },
    fullGcBetweenCells: canCollect,
    shapes: SHAPE_TEXT,
    packs,
    cells,
    memory,
    semiSpace,
  } satisfies SenmlResults);
  console.log(`\nLoad average at end: ${loadEnd.join(' ')}`);
  console.log(`Results written to ${path.relative(process.cwd(), file)}`);
  console.log(`Done in ${seconds.toFixed(1)} s (checksum ${sinkValue() % 997}).`);
}
