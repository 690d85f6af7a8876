/**
 * Devices benchmark: `node --expose-gc dist/scripts/bench-devices.js` (also run by
 * `npm run bench`, after the consent benchmark).
 *
 *   lora decode    frames/s of the real `lora device` + `lora decode` nodes in a Node-RED
 *                  runtime (node-red-node-test-helper, a fresh user directory each run, so
 *                  the durable frame counters are really written and synced), 20,000 ABP
 *                  frames whose counter crosses 65,535, a 3-channel Cayenne LPP payload;
 *                  one frame at a time (each waits for its output) and 256 in flight.
 *                  Baseline: a bare loop on the same frames, lora-packet fromWire, the
 *                  32-bit counter rebuilt, verifyMIC (FCntMSBytes), decrypt, and the same
 *                  LPP decoder (lib/devices/cayenne-lpp.ts) so that the difference is the
 *                  node machinery and the durable counter. Goal: at least 80% of it.
 *   serial sensor  lines/s of the real `serial sensor` node on a socat pseudo-terminal
 *                  pair, 200,000 `seq=… t=… v=…` key=value lines pushed by a writer process
 *                  as fast as the pty takes them. Baseline: serialport 13 SerialPort on the
 *                  same pty + ReadlineParser, each line split into an object of numbers.
 *                  Goal: at least 80% of it. A lost, doubled or reordered line fails the run.
 *
 * Each side runs several times, alternating; the median is reported with the spread
 * (lowest–highest). The test helper's spies on Node.prototype (send, status, log…) are
 * taken off once a flow is deployed: a runtime has none, and they keep every call.
 * Exits non-zero when it could not run (socat missing, a lost line, a refused frame).
 * `bench-devices.js lora` or `… serial` runs one part only; BENCH_DEVICES_ROUNDS and
 * BENCH_DEVICES_LINES change the 3 runs of each side and the 200,000 lines.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import {
  closeSync,
  constants,
  type fsync,
  promises as fsp,
  mkdtempSync,
  openSync,
  readFileSync,
  type renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import loraPacket from 'lora-packet';
import helper from 'node-red-node-test-helper';
import { ReadlineParser } from '@serialport/parser-readline';
import { SerialPort } from 'serialport';
import { decodeCayenneLpp } from '../lib/devices/cayenne-lpp';
import { PtyBoard } from '../test/support/pty';
import { collect } from './bench/measure';
import { load, rate, table } from './bench/text-report';

const NWK = '44024241ed4ce9a68c6a8bc055233fd3';
const APP = 'ec925802ae430ca77fd3dd73cb2cc588';
const DEV_ADDR = '49be7df1';
const DEV_EUI = '0004a30b001c4a2f';
const FRAMES = 20_000;
/** The first frame's counter: the run crosses 65,535 about a quarter of the way in. */
const FIRST_FCNT = 60_000;
/** Where the one-at-a-time runs start in the frames: 63,000, crossing 65,535 too. */
const ONE_BY_ONE = 3000;
const LINES = Number(process.env.BENCH_DEVICES_LINES ?? 200_000);
const ROUNDS = Number(process.env.BENCH_DEVICES_ROUNDS ?? 3);
const GOAL = 0.8;

type Msg = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

// ---------------------------------------------------------------- the pty writer process

/** `bench-devices.js writer <path> <count>`: builds the lines, waits for "go", writes them blocking. */
function writerProcess(path: string, count: number): void {
  const text = Array.from({ length: count }, (_, i) => lineOf(i)).join('');
  const bytes = Buffer.from(text, 'latin1');
  process.on('message', (message) => {
    if (message !== 'go') return;
    const fd = openSync(path, constants.O_WRONLY | constants.O_NOCTTY);
    for (let at = 0; at < bytes.length;) at += writeSync(fd, bytes, at, bytes.length - at);
    closeSync(fd);
    process.send?.({ written: bytes.length }, () => process.exit(0));
  });
  process.send?.('ready');
}

/** Line i as a buoy prints it: a sequence number (to check nothing is lost), a temperature, a voltage. */
function lineOf(i: number): string {
  return `seq=${i} t=${(15 + (i % 150) / 10).toFixed(1)} v=${(3.5 + (i % 40) / 100).toFixed(2)}\r\n`;
}

// ---------------------------------------------------------------- figures

interface Figure {
  label: string;
  unit: string;
  ours: number[];
  baseline: number[];
  baselineName: string;
  goal?: number;
  note?: string;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};
const range = (values: readonly number[]): string =>
  `${rate(Math.min(...values))}–${rate(Math.max(...values))}`;
// ---------------------------------------------------------------- Node-RED

helper.init(require.resolve('node-red'));
const loraDeviceNode = require('../nodes/lora-device.js');
const loraDecodeNode = require('../nodes/lora-decode.js');
const serialSensorNode = require('../nodes/serial-sensor.js');
const NodePrototype: Record<string, unknown> =
  require('@node-red/runtime/lib/nodes/Node').prototype;
const SPIED = ['log', 'status', 'warn', 'error', 'debug', 'trace', 'send'];
const originals = Object.fromEntries(SPIED.map((m) => [m, NodePrototype[m]]));
const runtimeLog: { log: unknown } = require('node-red').log;
const originalLog = runtimeLog.log;

/**
 * Take the test helper's spies off (they record every call, and Node.metric logs each
 * message), also from the nodes of `flow`: a wired node keeps Node.prototype.send as it
 * was when it was made.
 */
function unspy(flow: object[]): void {
  const spiedSend = NodePrototype.send;
  for (const { id } of flow as { id: string }[]) {
    const node = helper.getNode(id) as unknown as { send?: unknown } | null | undefined;
    if (node && node.send === spiedSend) node.send = originals.send;
  }
  for (const m of SPIED) NodePrototype[m] = originals[m];
  runtimeLog.log = originalLog;
}

/** Deploy a flow, then take the test helper's recording spies off Node.prototype. */
async function deploy(nodes: unknown[], flow: object[], credentials: object = {}): Promise<void> {
  await helper.load(nodes, flow, credentials);
  unspy(flow);
}

// ---------------------------------------------------------------- LoRa

function uplink(fCnt: number, payload: Buffer): Buffer {
  const msb = Math.floor(fCnt / 0x10000);
  return loraPacket
    .fromFields(
      {
        MType: 'Unconfirmed Data Up',
        DevAddr: Buffer.from(DEV_ADDR, 'hex'),
        FCtrl: { ADR: true, ACK: false, ADRACKReq: false, FPending: false },
        FCnt: fCnt & 0xffff,
        FPort: 1,
        payload,
      },
      Buffer.from(APP, 'hex'),
      Buffer.from(NWK, 'hex'),
      undefined,
      Buffer.from([msb & 0xff, msb >> 8]),
    )
    .getPHYPayload() as Buffer;
}

/** Cayenne LPP: channel 1 temperature (0.1 °C), channel 2 humidity (0.5 %), channel 3 voltage (0.01 V). */
function lpp(i: number): Buffer {
  const b = Buffer.alloc(11);
  b.writeUInt8(1, 0);
  b.writeUInt8(0x67, 1);
  b.writeInt16BE(150 + (i % 150), 2);
  b.writeUInt8(2, 4);
  b.writeUInt8(0x68, 5);
  b.writeUInt8(100 + (i % 60), 6);
  b.writeUInt8(3, 7);
  b.writeUInt8(0x74, 8);
  b.writeInt16BE(350 + (i % 40), 9);
  return b;
}

/** The bare loop: parse, rebuild the 32-bit counter, MIC, decrypt, LPP; frames/s. */
function bareLora(frames: readonly Buffer[]): number {
  const nwk = Buffer.from(NWK, 'hex');
  const app = Buffer.from(APP, 'hex');
  let last = -1;
  let readings = 0;
  const start = performance.now();
  for (const phy of frames) {
    const packet = loraPacket.fromWire(phy);
    const wire = packet.getFCnt() ?? 0;
    const epoch = last < 0 ? 0 : last - (last % 0x10000);
    const fCnt = last < 0 || epoch + wire > last ? epoch + wire : epoch + wire + 0x10000;
    const upper = Math.floor(fCnt / 0x10000);
    const msb = Buffer.from([upper & 0xff, (upper >> 8) & 0xff]);
    if (!loraPacket.verifyMIC(packet, nwk, undefined, msb)) throw new Error(`bare: MIC of ${fCnt}`);
    readings += decodeCayenneLpp(loraPacket.decrypt(packet, app, nwk, msb)).length;
    last = fCnt;
  }
  const ms = performance.now() - start;
  if (readings !== frames.length * 3) throw new Error('bare: readings missing');
  return (frames.length * 1000) / ms;
}

/** The bare loop with the counter made durable after each frame, as the node must: replaceFile awaited. */
async function bareLoraDurable(frames: readonly Buffer[]): Promise<number> {
  const { replaceFile } = await import('../lib/store/files');
  const dir = mkdtempSync(join(os.tmpdir(), 'senfed-bench-lora-bare-'));
  const nwk = Buffer.from(NWK, 'hex');
  const app = Buffer.from(APP, 'hex');
  let last = -1;
  const start = performance.now();
  try {
    for (const phy of frames) {
      const packet = loraPacket.fromWire(phy);
      const wire = packet.getFCnt() ?? 0;
      const epoch = last < 0 ? 0 : last - (last % 0x10000);
      const fCnt = last < 0 || epoch + wire > last ? epoch + wire : epoch + wire + 0x10000;
      const upper = Math.floor(fCnt / 0x10000);
      const msb = Buffer.from([upper & 0xff, (upper >> 8) & 0xff]);
      if (!loraPacket.verifyMIC(packet, nwk, undefined, msb)) throw new Error('bare: MIC');
      decodeCayenneLpp(loraPacket.decrypt(packet, app, nwk, msb));
      last = fCnt;
      await replaceFile(join(dir, 'counters.json'), JSON.stringify({ fCnt, session: 'abp' }));
    }
    return (frames.length * 1000) / (performance.now() - start);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** node:fs as the store calls it (property by property, so that it can be counted). */
const fs: { fsync: typeof fsync; renameSync: typeof renameSync } = require('node:fs');

/** Counts of counter-file writes (renames onto it) and of fsyncs, while a run is under way. */
const disk = { renames: 0, syncs: 0 };
async function countDiskWrites(): Promise<void> {
  const probe = await fsp.open(os.tmpdir(), 'r');
  const proto = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  const sync = proto.sync;
  proto.sync = function (this: unknown) {
    disk.syncs += 1;
    return sync.call(this);
  };
  const syncFd = fs.fsync;
  fs.fsync = ((fd: number, done: (err: NodeJS.ErrnoException | null) => void) => {
    disk.syncs += 1;
    syncFd(fd, done);
  }) as typeof fsync;
  const onto = (to: unknown): void => {
    if (String(to).endsWith('frame-counters.json')) disk.renames += 1;
  };
  const rename = fsp.rename;
  fsp.rename = (from, to) => {
    onto(to);
    return rename(from, to);
  };
  const renameNow = fs.renameSync;
  fs.renameSync = (from, to) => {
    onto(to);
    renameNow(from, to);
  };
}

interface LoraRun {
  rate: number;
  renames: number;
  syncs: number;
}

/** The nodes deployed; frames fed keeping `inFlight` outstanding; frames/s until the last output. */
async function oursLora(
  frames: readonly Buffer[],
  first: number,
  inFlight: number,
): Promise<LoraRun> {
  const userDir = mkdtempSync(join(os.tmpdir(), 'senfed-bench-lora-'));
  helper.settings({ userDir });
  try {
    await deploy(
      [loraDeviceNode, loraDecodeNode],
      [
        {
          id: 'buoy',
          type: 'lora-device',
          name: 'buoy-7',
          devEui: DEV_EUI,
          activation: 'abp',
          devAddr: DEV_ADDR,
        },
        { id: 'decode', type: 'lora-decode', device: '', codec: 'lpp', wires: [['out']] },
        { id: 'out', type: 'helper' },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ],
      { buoy: { nwkSKey: NWK, appSKey: APP } },
    );
    await (helper.getNode('buoy') as unknown as { ready: Promise<unknown> }).ready;
    const decode = helper.getNode('decode');
    const errors: Msg[] = [];
    helper.getNode('caught').on('input', (msg: Msg) => errors.push(msg));
    let sent = 0;
    let received = 0;
    let disorder = 0;
    const renames = disk.renames;
    const syncs = disk.syncs;
    const start = performance.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setInterval(() => {
        if (errors.length > 0) {
          clearInterval(timer);
          reject(new Error(`lora decode refused a frame: ${errors[0].error?.message}`));
        }
      }, 100);
      helper.getNode('out').on('input', (msg: Msg) => {
        if (msg.lora?.fCnt !== first + received) disorder += 1;
        received += 1;
        if (sent < frames.length) decode.receive({ payload: frames[sent++] });
        if (received === frames.length) {
          clearInterval(timer);
          resolve();
        }
      });
      while (sent < Math.min(inFlight, frames.length)) decode.receive({ payload: frames[sent++] });
    });
    const ms = performance.now() - start;
    if (disorder > 0) throw new Error(`lora decode: ${disorder} frames out of order`);
    const run = {
      rate: (frames.length * 1000) / ms,
      renames: disk.renames - renames,
      syncs: disk.syncs - syncs,
    };
    // Replays are still refused, and the last counter is on disk.
    decode.receive({ payload: frames[frames.length - 1] });
    for (const end = Date.now() + 5000; errors.length === 0 && Date.now() < end;)
      await new Promise((r) => setTimeout(r, 10));
    if (errors[0]?.error?.code !== 'DEVICE_LORA_COUNTER')
      throw new Error('lora decode: the replay was not refused');
    await helper.unload();
    const file = join(userDir, 'senfed', 'lora', 'buoy', 'frame-counters.json');
    const held = JSON.parse(readFileSync(file, 'utf8')).devices.device.fCnt;
    if (held !== first + frames.length - 1)
      throw new Error(`lora decode: ${held} on disk, not the last counter`);
    return run;
  } finally {
    await helper.unload().catch(() => undefined);
    rmSync(userDir, { recursive: true, force: true });
  }
}

async function benchLora(figures: Figure[]): Promise<void> {
  console.log(
    `lora decode: ${rate(FRAMES)} ABP frames, FCnt ${rate(FIRST_FCNT)} to ${rate(FIRST_FCNT + FRAMES - 1)}, 3-channel Cayenne LPP`,
  );
  const frames = Array.from({ length: FRAMES }, (_, i) => uplink(FIRST_FCNT + i, lpp(i)));
  await countDiskWrites();
  bareLora(frames); // warm-up of lora-packet and the LPP decoder
  const bare: number[] = [];
  const durable: number[] = [];
  const runs = new Map<number, LoraRun[]>([
    [1, []],
    [256, []],
  ]);
  for (let round = 0; round < ROUNDS; round++) {
    collect();
    bare.push(bareLora(frames));
    for (const [inFlight, list] of runs) {
      collect();
      // One at a time waits for an fsync per frame: 4,000 frames, across the rollover.
      list.push(
        inFlight === 1
          ? await oursLora(frames.slice(ONE_BY_ONE, ONE_BY_ONE + 4000), FIRST_FCNT + ONE_BY_ONE, 1)
          : await oursLora(frames, FIRST_FCNT, inFlight),
      );
    }
    collect();
    durable.push(await bareLoraDurable(frames.slice(ONE_BY_ONE, ONE_BY_ONE + 4000)));
    console.log(
      `  round ${round + 1}: bare ${rate(bare[round])}/s, durable bare ${rate(durable[round])}/s, ` +
        [...runs]
          .map(([k, list]) => {
            const r = list[round];
            return `${k} in flight ${rate(r.rate)}/s (${r.renames} writes, ${r.syncs} fsyncs)`;
          })
          .join(', ') +
        ` (load ${load()})`,
    );
  }
  for (const [inFlight, list] of runs) {
    const count = inFlight === 1 ? 4000 : FRAMES;
    const writes = median(list.map((r) => r.renames));
    figures.push({
      label: `lora decode, ${inFlight} in flight`,
      unit: 'frames/s',
      ours: list.map((r) => r.rate),
      baseline: bare,
      baselineName: 'bare decode+MIC+decrypt+LPP',
      goal: GOAL,
      note: `${(count / writes).toFixed(1)} frames per counter write`,
    });
  }
  figures.push({
    label: 'lora decode, 1 in flight',
    unit: 'frames/s',
    ours: runs.get(1)!.map((r) => r.rate),
    baseline: durable,
    baselineName: 'bare loop + counter replaceFile awaited',
    note: 'what one fsync per frame allows',
  });
}

// ---------------------------------------------------------------- serial

function startWriter(board: PtyBoard): Promise<ChildProcess> {
  const child = fork(__filename, ['writer', board.board, String(LINES)], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.once('message', (m) => (m === 'ready' ? resolve(child) : reject(new Error(String(m)))));
    child.once('error', reject);
  });
}

/** What a reader has counted: lines, and when the last one came in. */
interface Tally {
  count: number;
  lastAt: number;
}

function counted(tally: Tally): void {
  tally.count += 1;
  if (tally.count === LINES) tally.lastAt = performance.now();
}

/** Push the lines; lines/s from "go" to the last line in. */
async function pushLines(board: PtyBoard, tally: Tally): Promise<number> {
  const writer = await startWriter(board);
  const start = performance.now();
  writer.send('go');
  let seen = -1;
  let since = Date.now();
  while (tally.count < LINES) {
    await new Promise((r) => setTimeout(r, 5));
    const now = tally.count;
    if (now !== seen) [seen, since] = [now, Date.now()];
    else if (Date.now() - since > 5000) {
      writer.kill();
      throw new Error(`serial: ${LINES - now} of ${rate(LINES)} lines lost`);
    }
  }
  await new Promise((r) => (writer.exitCode === null ? writer.once('exit', r) : r(undefined)));
  return (LINES * 1000) / (tally.lastAt - start);
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 300));

async function bareSerial(board: PtyBoard): Promise<number> {
  const port = new SerialPort({ path: board.device, baudRate: 9600 });
  await new Promise<void>((resolve, reject) => {
    port.once('open', resolve);
    port.once('error', reject);
  });
  const parser = port.pipe(new ReadlineParser({ delimiter: '\r\n' }));
  const tally: Tally = { count: 0, lastAt: 0 };
  let disorder = 0;
  parser.on('data', (line: string) => {
    const reading: Record<string, number> = {};
    for (const part of line.split(' ')) {
      const at = part.indexOf('=');
      reading[part.slice(0, at)] = Number(part.slice(at + 1));
    }
    if (reading.seq !== tally.count) disorder += 1;
    counted(tally);
  });
  await settle();
  try {
    const result = await pushLines(board, tally);
    if (disorder > 0 || tally.count !== LINES)
      throw new Error(`bare serial: ${disorder} out of order`);
    return result;
  } finally {
    await new Promise((r) => port.close(r));
  }
}

async function oursSerial(board: PtyBoard): Promise<number> {
  const flow = [
    {
      id: 'sensor',
      type: 'serial-sensor',
      port: board.device,
      baudRate: '9600',
      dataBits: '8',
      parity: 'none',
      stopBits: '1',
      format: 'keyvalue',
      fields: 't:Cel, v:V',
      baseName: 'urn:dev:mac:0004a30b001c4a2f:',
      wires: [['out']],
    },
    { id: 'out', type: 'helper' },
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
  let connected!: () => void;
  const open = new Promise<void>((r) => (connected = r));
  const status = originals.status as (this: unknown, s: Msg) => void;
  // The node's own status says when the port is open (during the deploy, or after).
  const seeConnected = function (this: { id: string }, s: Msg): void {
    if (this.id === 'sensor' && s?.fill === 'green') connected();
    status.call(this, s);
  };
  NodePrototype.status = seeConnected;
  try {
    await helper.load([serialSensorNode], flow);
    unspy(flow);
    NodePrototype.status = seeConnected;
    await open;
    NodePrototype.status = originals.status;
    await settle();
    const tally: Tally = { count: 0, lastAt: 0 };
    let disorder = 0;
    const errors: Msg[] = [];
    helper.getNode('caught').on('input', (msg: Msg) => errors.push(msg));
    helper.getNode('out').on('input', (msg: Msg) => {
      if (msg.payload[0]?.v !== tally.count) disorder += 1;
      counted(tally);
    });
    const result = await pushLines(board, tally);
    if (errors.length > 0) throw new Error(`serial sensor: ${errors[0].error?.message}`);
    if (disorder > 0 || tally.count !== LINES)
      throw new Error(`serial sensor: ${disorder} out of order`);
    return result;
  } finally {
    await helper.unload();
    // The helper's unload puts back what it spied on: the status watcher.
    NodePrototype.status = originals.status;
  }
}

async function benchSerial(figures: Figure[]): Promise<void> {
  console.log(`\nserial sensor: ${rate(LINES)} key=value lines through a socat pty pair`);
  const board = new PtyBoard();
  await board.plug();
  try {
    const bare: number[] = [];
    const ours: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      collect();
      if (round % 2 === 0) bare.push(await bareSerial(board));
      collect();
      ours.push(await oursSerial(board));
      if (round % 2 === 1) bare.push(await bareSerial(board));
      console.log(
        `  round ${round + 1}: bare ${rate(bare[round])} lines/s, serial sensor ${rate(ours[round])} lines/s (load ${load()})`,
      );
    }
    figures.push({
      label: 'serial sensor, keyvalue',
      unit: 'lines/s',
      ours,
      baseline: bare,
      baselineName: 'SerialPort + ReadlineParser + split',
      goal: GOAL,
    });
  } finally {
    await board.unplug();
  }
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  console.log(
    `Devices benchmark: node ${process.version}, ${os.cpus().length} CPUs, load ${load()}\n`,
  );
  try {
    execFileSync('socat', ['-V'], { stdio: 'ignore' });
  } catch {
    console.error('socat is missing (Debian package socat): the serial benchmark cannot run');
    process.exitCode = 1;
    return;
  }
  const figures: Figure[] = [];
  // `bench-devices.js lora` or `bench-devices.js serial` runs one part (for profiling).
  const only = process.argv[2];
  if (only !== 'serial') await benchLora(figures);
  if (only !== 'lora') await benchSerial(figures);
  console.log(`\nDevices (median of ${ROUNDS} runs each; spread lowest–highest; load ${load()})`);
  console.log(
    table(
      ['measurement', 'ours/s', 'spread', 'baseline', 'baseline/s', 'ratio', 'goal', 'met?'],
      figures.map((f) => {
        const ratio = median(f.ours) / median(f.baseline);
        return [
          f.label,
          rate(median(f.ours)),
          range(f.ours),
          f.baselineName,
          `${rate(median(f.baseline))} (${range(f.baseline)})`,
          ratio.toFixed(2),
          f.goal === undefined ? '-' : `>= ${f.goal}`,
          f.goal === undefined ? 'info' : ratio >= f.goal ? 'yes' : 'NO',
        ];
      }),
    ),
  );
  for (const f of figures.filter((x) => x.note)) console.log(`  ${f.label}: ${f.note}`);
  for (const f of figures) {
    if (f.goal === undefined) continue;
    const ratio = median(f.ours) / median(f.baseline);
    console.log(
      `GOAL  ${f.label} >= ${f.goal * 100}% of ${f.baselineName}: ${ratio >= f.goal ? 'met' : 'NOT MET'} (${(ratio * 100).toFixed(0)}%)`,
    );
  }
}

if (process.argv[2] === 'writer') writerProcess(process.argv[3], Number(process.argv[4]));
else
  main().then(
    () => process.exit(),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
