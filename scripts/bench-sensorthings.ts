/**
 * SensorThings benchmark: `node --expose-gc dist/scripts/bench-sensorthings.js`
 * (also run by `npm run bench`, after the federation benchmark).
 *
 * On the local FROST-Server of scripts/sensorthings/frost.sh (started here if it is not
 * running, and then stopped at the end), the same Observations are stored four ways,
 * the ways alternating round by round (node, bare, post; post, bare, node; …):
 *
 *   sensorthings out  the real `sensorthings server` + `sensorthings out` nodes in a
 *                     Node-RED runtime (node-red-node-test-helper), fed packs of 10
 *                     resolved SenML records at once; timed from the first pack in to
 *                     the writer's last `stored` event (every row answered as stored).
 *                     Batches of 500, window 1 s: the node's defaults. The durable
 *                     queue under the user directory is really written and synced.
 *   one POST each     POST /Observations per Observation, one at a time, on one kept-
 *                     alive connection: what a hand-made flow (function + http request)
 *                     does. Node's http only; every answer must be 201 with a Location.
 *   bare DataArray    POST /CreateObservations (STA 1.1 §14.3, DataArray extension)
 *                     with batches of 500 rows built by hand, one request at a time,
 *                     Node's http only, no SenFed code; every answer row checked.
 *   over MQTT         `sensorthings out` with "create over" MQTT (STA 1.1 §14.2): each
 *                     Observation published QoS 1 on FROST's broker and confirmed over
 *                     HTTP before the next; MQTT_OBSERVATIONS (BENCH_STA_MQTT_OBSERVATIONS,
 *                     300) per run, as it goes a few tens a second.
 *
 * Every run stores OBSERVATIONS Observations of one Thing in three Datastreams
 * (temperature, humidity, pressure; record i goes to Datastream i mod 3), each with the
 * Thing's FeatureOfInterest, at times of their own; after each run the server is asked
 * how many it holds in that time span, per Datastream: a lost or doubled Observation
 * fails the benchmark. The entities are created once, by a first warm-up run of the node
 * (find-or-create); the other ways use their ids. Goal: the node at least 80% of the
 * bare DataArray loop (ratio of the medians; also round by round, against the bare run
 * next to it, which a busy machine disturbs less). Where the node's time goes is told from the timeline of its
 * requests (filling the first batch, the requests, the gaps between them) and the
 * fsyncs of its queue.
 *
 * Also printed: latency per request (median, p90), CPU of this process (process.cpuUsage)
 * and of FROST's Tomcat and PostgreSQL (their /proc times, pids from the state
 * directory), and the load average. `bench-sensorthings.js node|post|bare|mqtt` runs one way
 * only (for profiling); BENCH_STA_ROUNDS (3) and BENCH_STA_OBSERVATIONS (5,000) change
 * the rounds and the Observations per run. The Thing and all it holds are deleted at
 * the end.
 *
 * It reports, whatever the goal says. When FROST cannot start it says why and exits 0
 * (the other benchmarks go on); it exits 1 when a run failed (an Observation lost,
 * refused or stored twice).
 */
import * as http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import { join } from 'node:path';
import type { FileHandle } from 'node:fs/promises';
import { promises as fsp } from 'node:fs';
import { SensorThingsClient } from '../lib/sensorthings/http';
import { ObservationWriter } from '../lib/sensorthings/observation-writer';
import { type Frost, frost, frostRunning, startFrost, stopFrost } from '../test/support/frost';
import { collect } from './bench/measure';
import { deploy, helper, nodeErrors, undeploy } from './bench/node-red';
import { pidFromFile, treeCpuMs } from './bench/processes';
import { load, rate, table } from './bench/text-report';

const OBSERVATIONS = Number(process.env.BENCH_STA_OBSERVATIONS ?? 5_000);
const ROUNDS = Number(process.env.BENCH_STA_ROUNDS ?? 3);
const BATCH = 500;
const RECORDS_PER_PACK = 10;
const GOAL = 0.8;
/** No Observation stored for this long: the run has stalled. */
const STALL_MS = 60_000;

/** Unique per run, so that runs never see each other's entities. */
const RUN = `${Date.now().toString(36)}-${process.pid}`;
const DEVICE = `urn:dev:ops:senfed-bench-${RUN}:`;
const MEASUREMENTS = [
  { name: 'temperature', unit: 'Cel', value: (i: number) => 10 + (i % 97) / 10 },
  { name: 'humidity', unit: '%RH', value: (i: number) => 60 + (i % 41) / 2 },
  { name: 'pressure', unit: 'Pa', value: (i: number) => 101_000 + (i % 500) },
] as const;
/** 2026-01-01T00:00:00Z: each run takes the next OBSERVATIONS seconds from there. */
const FIRST_TIME = 1_767_225_600;

type Way = 'node' | 'post' | 'bare' | 'mqtt';
const WAYS: readonly Way[] = ['node', 'post', 'bare', 'mqtt'];
/**
 * Even rounds in this order, odd rounds reversed: the node and the bare loop always run
 * next to each other (sharing whatever else the machine does), each going first in turn.
 */
const ROUND_ORDER: readonly Way[] = ['node', 'bare', 'post', 'mqtt'];
const LABELS: Record<Way, string> = {
  node: 'sensorthings out, batches of 500',
  post: 'one POST /Observations each',
  bare: 'bare CreateObservations, 500 rows',
  mqtt: 'sensorthings out, over MQTT',
};
/**
 * Over MQTT each Observation is confirmed over HTTP before the next goes (FROST acks a
 * publication it may then drop): a few tens a second, so fewer per run.
 */
const MQTT_OBSERVATIONS = Number(process.env.BENCH_STA_MQTT_OBSERVATIONS ?? 300);

// ---------------------------------------------------------------- figures

const median = (values: readonly number[]): number => quantile(values, 0.5);
function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const low = Math.floor(at);
  return sorted[low] + (sorted[Math.min(low + 1, sorted.length - 1)] - sorted[low]) * (at - low);
}
const ms = (n: number): string =>
  Number.isFinite(n) ? (n >= 100 ? n.toFixed(0) : n >= 10 ? n.toFixed(1) : n.toFixed(2)) : '-';
/** One timed run of one way. */
interface Run {
  way: Way;
  observations: number;
  wallMs: number;
  /** Duration of each request that stored Observations, in order. */
  requestMs: number[];
  /** CPU ms of this process, of FROST's Tomcat and of PostgreSQL over the run. */
  cpu: { node: number; frost: number | undefined; postgresql: number | undefined };
  /** The node only: where its time went. */
  node?: NodeTimeline;
}

interface NodeTimeline {
  /** From the first pack in to the first CreateObservations request sent. */
  leadMs: number;
  /** Requests under way (CreateObservations). */
  requestsMs: number;
  /** Between one answer and the next request (acks, taking the next batch). */
  gapsMs: number;
  /** From the last answer to the last `stored` event. */
  tailMs: number;
  /** From the first pack in to the last one on disk (its enqueue resolved). */
  queuedMs: number;
  /** Latencies of the requests sent while packs were still being queued, and of those after. */
  whileQueuingMs: number[];
  afterQueuingMs: number[];
  /** Other requests (find-or-create lookups). */
  otherRequests: number;
  /** fsyncs (datasync and sync) of the process during the run, and their time. */
  syncs: number;
  syncMs: number;
  rowsPerRequest: number;
}

// ---------------------------------------------------------------- the server's side

let frostInfo: Frost;
let tomcatPid: number | undefined;
let postgresPid: number | undefined;

function serverCpu(): { frost: number | undefined; postgresql: number | undefined } {
  return {
    frost: tomcatPid === undefined ? undefined : treeCpuMs(tomcatPid),
    postgresql: postgresPid === undefined ? undefined : treeCpuMs(postgresPid),
  };
}

/** Wall time and CPU between begin() and end(): what a way does with the server, without its set-up. */
class Meter {
  #start = 0;
  #cpu: NodeJS.CpuUsage | undefined;
  #server = serverCpu();
  wallMs = 0;
  cpu: Run['cpu'] = { node: 0, frost: undefined, postgresql: undefined };

  begin(): void {
    collect();
    this.#server = serverCpu();
    this.#cpu = process.cpuUsage();
    this.#start = performance.now();
  }

  end(): void {
    this.wallMs = performance.now() - this.#start;
    const cpu = process.cpuUsage(this.#cpu);
    const server = serverCpu();
    const diff = (a: number | undefined, b: number | undefined): number | undefined =>
      a === undefined || b === undefined ? undefined : b - a;
    this.cpu = {
      node: (cpu.user + cpu.system) / 1000,
      frost: diff(this.#server.frost, server.frost),
      postgresql: diff(this.#server.postgresql, server.postgresql),
    };
  }
}

// ---------------------------------------------------------------- plain HTTP (the bare ways)

/** One connection, kept alive, as one function node with its own agent would use. */
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

interface Answer {
  status: number;
  location: string | undefined;
  text: string;
}

function postJson(path: string, body: string): Promise<Answer> {
  const url = new URL(`${frostInfo.serviceRoot}/${path}`);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            location: response.headers.location,
            text: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

async function getJson(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${frostInfo.serviceRoot}/${path}`);
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

// ---------------------------------------------------------------- the Observations

/** The entities every way writes to: found after the node created them. */
interface Entities {
  thingId: number;
  datastreamIds: number[];
  featureOfInterestId: number;
}
let entities: Entities;

/** Runs so far: each gets its own OBSERVATIONS seconds. */
let runs = 0;

interface Reading {
  measurement: number;
  /** Seconds since the epoch. */
  t: number;
  v: number;
}

function readings(count: number): Reading[] {
  const first = FIRST_TIME + runs++ * Math.max(count, OBSERVATIONS);
  return Array.from({ length: count }, (_, i) => ({
    measurement: i % MEASUREMENTS.length,
    t: first + i,
    v: MEASUREMENTS[i % MEASUREMENTS.length].value(i),
  }));
}

const isoTime = (t: number): string => new Date(t * 1000).toISOString();

/** What the server holds of these readings, per Datastream: must be exactly what was sent. */
async function checkStored(way: Way, sent: readonly Reading[]): Promise<void> {
  const from = isoTime(sent[0].t);
  const to = isoTime(sent[sent.length - 1].t + 1);
  for (let m = 0; m < MEASUREMENTS.length; m++) {
    const expected = sent.filter((r) => r.measurement === m).length;
    const filter = encodeURIComponent(`phenomenonTime ge ${from} and phenomenonTime lt ${to}`);
    const answer = await getJson(
      `Datastreams(${entities.datastreamIds[m]})/Observations?$filter=${filter}&$count=true&$top=0`,
    );
    const held = Number(answer['@iot.count']);
    if (held !== expected)
      throw new Error(
        `${LABELS[way]}: the server holds ${held} ${MEASUREMENTS[m].name} Observations of the run, ${expected} were sent`,
      );
  }
}

// ---------------------------------------------------------------- one POST per Observation

async function runPost(sent: readonly Reading[], meter = new Meter()): Promise<number[]> {
  const requestMs: number[] = [];
  meter.begin();
  for (const r of sent) {
    const body = JSON.stringify({
      phenomenonTime: isoTime(r.t),
      result: r.v,
      Datastream: { '@iot.id': entities.datastreamIds[r.measurement] },
      FeatureOfInterest: { '@iot.id': entities.featureOfInterestId },
    });
    const start = performance.now();
    const answer = await postJson('Observations', body);
    requestMs.push(performance.now() - start);
    if (answer.status !== 201 || answer.location === undefined)
      throw new Error(`one POST each: ${answer.status} ${answer.text}`);
  }
  meter.end();
  return requestMs;
}

// ---------------------------------------------------------------- bare DataArray loop

async function runBare(sent: readonly Reading[], meter = new Meter()): Promise<number[]> {
  const requestMs: number[] = [];
  meter.begin();
  for (let at = 0; at < sent.length; at += BATCH) {
    const batch = sent.slice(at, at + BATCH);
    // One DataArray item per Datastream (STA 1.1 §14.3.1), rows in the order given.
    const items = MEASUREMENTS.map((_, m) => ({
      Datastream: { '@iot.id': entities.datastreamIds[m] },
      components: ['phenomenonTime', 'result', 'FeatureOfInterest/id'],
      dataArray: batch
        .filter((r) => r.measurement === m)
        .map((r) => [isoTime(r.t), r.v, entities.featureOfInterestId]),
    })).filter((item) => item.dataArray.length > 0);
    const start = performance.now();
    const answer = await postJson('CreateObservations', JSON.stringify(items));
    requestMs.push(performance.now() - start);
    // 201 even when rows fail: every row must be the URL of a new Observation.
    const rows = answer.status === 201 ? (JSON.parse(answer.text) as unknown) : undefined;
    if (!Array.isArray(rows) || rows.length !== batch.length)
      throw new Error(`bare CreateObservations: ${answer.status} ${answer.text.slice(0, 300)}`);
    const refused = rows.find(
      (row) => typeof row !== 'string' || !/\/Observations\(\d+\)$/.test(row),
    );
    if (refused !== undefined)
      throw new Error(`bare CreateObservations: a row refused: ${JSON.stringify(refused)}`);
  }
  meter.end();
  return requestMs;
}

// ---------------------------------------------------------------- the nodes

const serverNode = require('../nodes/sensorthings-server.js');
const outNode = require('../nodes/sensorthings-out.js');

/** What the node's writer and client do, counted through their prototypes while a run is under way. */
const watch = {
  stored: 0,
  failed: [] as string[],
  retries: 0,
  writers: [] as ObservationWriter[],
  /** CreateObservations requests: start and end (performance.now()). */
  creates: [] as { start: number; end: number }[],
  otherRequests: 0,
  syncs: 0,
  syncMs: 0,
  lastStoredAt: 0,
  queued: 0,
  allQueuedAt: 0,
  expected: 0,
  onStored: undefined as (() => void) | undefined,
};

function watchTheNode(): void {
  const writer = ObservationWriter.prototype as unknown as {
    emit(event: string, ...args: unknown[]): boolean;
    start(): void;
  };
  const emit = writer.emit;
  writer.emit = function (this: ObservationWriter, event: string, ...args: unknown[]): boolean {
    if (event === 'stored') {
      watch.stored += args[0] as number;
      watch.lastStoredAt = performance.now();
      watch.onStored?.();
    } else if (event === 'failed') {
      const failure = args[0] as { error: Error };
      watch.failed.push(failure.error.message);
      watch.onStored?.();
    } else if (event === 'retrying') watch.retries += 1;
    return emit.call(this, event, ...args);
  };
  const enqueue = (
    ObservationWriter.prototype as unknown as { enqueue: ObservationWriter['enqueue'] }
  ).enqueue;
  ObservationWriter.prototype.enqueue = async function (
    this: ObservationWriter,
    observations,
    ...rest
  ) {
    await enqueue.call(this, observations, ...rest);
    watch.queued += observations.length;
    if (watch.queued === watch.expected) watch.allQueuedAt = performance.now();
  };
  const start = writer.start;
  writer.start = function (this: ObservationWriter): void {
    watch.writers.push(this);
    start.call(this);
  };
  const client = SensorThingsClient.prototype;
  const request = client.request;
  client.request = async function (this: SensorThingsClient, method, path, ...rest) {
    const began = performance.now();
    try {
      return await request.call(this, method, path, ...rest);
    } finally {
      if (method === 'POST' && path === 'CreateObservations')
        watch.creates.push({ start: began, end: performance.now() });
      else watch.otherRequests += 1;
    }
  };
}

/** fsyncs of the durable queue (FileHandle.datasync and .sync), counted and timed. */
async function watchSyncs(): Promise<void> {
  const probe = await fsp.open(os.tmpdir(), 'r');
  const proto = Object.getPrototypeOf(probe) as Pick<FileHandle, 'datasync' | 'sync'>;
  await probe.close();
  for (const method of ['datasync', 'sync'] as const) {
    const original = proto[method];
    proto[method] = async function (this: FileHandle): Promise<void> {
      const began = performance.now();
      try {
        await original.call(this);
      } finally {
        watch.syncs += 1;
        watch.syncMs += performance.now() - began;
      }
    };
  }
}

/** One user directory for all node runs: the resolver's id cache persists, as in a real installation. */
let userDir: string;

function flow(over: 'http' | 'mqtt' = 'http'): object[] {
  return [
    { id: 'tab', type: 'tab', label: 'bench' },
    {
      id: 'server',
      type: 'sensorthings-server',
      z: 'tab',
      url: frostInfo.serviceRoot,
      auth: 'none',
      mqttUrl: over === 'mqtt' ? frostInfo.mqttUrl : '',
    },
    {
      id: 'out',
      type: 'sensorthings-out',
      z: 'tab',
      server: 'server',
      locationMode: 'none',
      baseName: '',
      batchSize: String(BATCH),
      window: '1',
      queueSize: '100000',
      createOver: over,
      wires: [],
    },
  ];
}

/** Resolved SenML packs of the readings, RECORDS_PER_PACK records each. */
function packsOf(sent: readonly Reading[]): object[][] {
  const packs: object[][] = [];
  for (let at = 0; at < sent.length; at += RECORDS_PER_PACK)
    packs.push(
      sent.slice(at, at + RECORDS_PER_PACK).map((r) => ({
        n: DEVICE + MEASUREMENTS[r.measurement].name,
        u: MEASUREMENTS[r.measurement].unit,
        t: r.t,
        v: r.v,
      })),
    );
  return packs;
}

async function runNode(
  sent: readonly Reading[],
  meter = new Meter(),
  over: 'http' | 'mqtt' = 'http',
): Promise<{ requestMs: number[]; node: NodeTimeline }> {
  const packs = packsOf(sent);
  // Deploy, and wait until the writer runs (the queue open, the resolver loaded): start-up is not timed.
  watch.writers.length = 0;
  helper.settings({ userDir });
  await deploy([serverNode, outNode], flow(over));
  try {
    for (const end = Date.now() + 30_000; watch.writers.length === 0;) {
      if (Date.now() > end) throw new Error('sensorthings out: its writer did not start');
      await new Promise((r) => setTimeout(r, 5));
    }
    Object.assign(watch, {
      stored: 0,
      retries: 0,
      otherRequests: 0,
      syncs: 0,
      syncMs: 0,
      queued: 0,
      allQueuedAt: 0,
      expected: sent.length,
    });
    watch.failed.length = 0;
    watch.creates.length = 0;
    const out = helper.getNode('out');
    meter.begin();
    const start = performance.now();
    watch.lastStoredAt = start;
    const all = new Promise<void>((resolve, reject) => {
      const stall = setInterval(() => {
        if (nodeErrors.length > 0 || performance.now() - watch.lastStoredAt > STALL_MS) {
          clearInterval(stall);
          reject(
            new Error(
              `sensorthings out: ${sent.length - watch.stored} of ${sent.length} Observations not stored` +
                (nodeErrors[0] ? `: ${nodeErrors[0].message}` : ` after ${STALL_MS / 1000} s`),
            ),
          );
        }
      }, 50);
      watch.onStored = () => {
        if (watch.stored + watch.failed.length >= sent.length) {
          clearInterval(stall);
          resolve();
        }
      };
    });
    for (const payload of packs) out.receive({ payload });
    await all;
    meter.end();
    const endedAt = watch.lastStoredAt;
    watch.onStored = undefined;
    if (watch.failed.length > 0)
      throw new Error(`sensorthings out: ${watch.failed.length} refused: ${watch.failed[0]}`);
    const creates = [...watch.creates];
    let gapsMs = 0;
    for (let i = 1; i < creates.length; i++) gapsMs += creates[i].start - creates[i - 1].end;
    return {
      requestMs: creates.map((c) => c.end - c.start),
      node: {
        leadMs: (creates[0]?.start ?? endedAt) - start,
        requestsMs: creates.reduce((sum, c) => sum + c.end - c.start, 0),
        gapsMs,
        tailMs: endedAt - (creates.at(-1)?.end ?? endedAt),
        queuedMs: watch.allQueuedAt - start,
        whileQueuingMs: creates
          .filter((c) => c.start < watch.allQueuedAt)
          .map((c) => c.end - c.start),
        afterQueuingMs: creates
          .filter((c) => c.start >= watch.allQueuedAt)
          .map((c) => c.end - c.start),
        otherRequests: watch.otherRequests,
        syncs: watch.syncs,
        syncMs: watch.syncMs,
        rowsPerRequest: sent.length / Math.max(1, creates.length),
      },
    };
  } finally {
    watch.onStored = undefined;
    await undeploy();
  }
}

/**
 * The warm-up run of the node creates the Thing, its three Datastreams and its
 * FeatureOfInterest (find-or-create); their ids are read back from the server.
 */
async function createEntities(): Promise<void> {
  const sent = readings(Math.min(OBSERVATIONS, 600));
  await runNode(sent);
  const filter = encodeURIComponent(`startswith(name,'${DEVICE}')`);
  const found = await getJson(`Datastreams?$filter=${filter}&$expand=Thing($select=id)`);
  const datastreams = found.value as {
    '@iot.id': number;
    name: string;
    Thing: { '@iot.id': number };
  }[];
  const datastreamIds = MEASUREMENTS.map((m) => {
    const ds = datastreams.find((d) => d.name.startsWith(`${DEVICE}${m.name} `));
    if (ds === undefined) throw new Error(`no Datastream for ${m.name} after the first run`);
    return ds['@iot.id'];
  });
  const first = await getJson(
    `Datastreams(${datastreamIds[0]})/Observations?$top=1&$expand=FeatureOfInterest($select=id)`,
  );
  const observation = (first.value as { FeatureOfInterest: { '@iot.id': number } }[])[0];
  entities = {
    thingId: datastreams[0].Thing['@iot.id'],
    datastreamIds,
    featureOfInterestId: observation.FeatureOfInterest['@iot.id'],
  };
  await checkStored('node', sent);
}

/** The Thing goes with its Datastreams and their Observations; then its FeatureOfInterest. */
async function deleteEntities(): Promise<void> {
  if (entities === undefined) return;
  for (const path of [
    `Things(${entities.thingId})`,
    `FeaturesOfInterest(${entities.featureOfInterestId})`,
  ]) {
    const response = await fetch(`${frostInfo.serviceRoot}/${path}`, { method: 'DELETE' });
    if (!response.ok) console.log(`  (could not delete ${path}: ${response.status})`);
  }
}

// ---------------------------------------------------------------- main

async function runWay(way: Way): Promise<Run> {
  const sent = readings(way === 'mqtt' ? MQTT_OBSERVATIONS : OBSERVATIONS);
  const meter = new Meter();
  let requestMs: number[];
  let node: NodeTimeline | undefined;
  if (way === 'node') ({ requestMs, node } = await runNode(sent, meter));
  else if (way === 'mqtt') ({ requestMs } = await runNode(sent, meter, 'mqtt'));
  else if (way === 'post') requestMs = await runPost(sent, meter);
  else requestMs = await runBare(sent, meter);
  await checkStored(way, sent);
  return {
    way,
    observations: sent.length,
    wallMs: meter.wallMs,
    requestMs,
    cpu: meter.cpu,
    ...(node ? { node } : {}),
  };
}

const perSecond = (run: Run): number => (run.observations * 1000) / run.wallMs;

function describeRun(run: Run): string {
  const servers =
    run.cpu.frost === undefined
      ? ''
      : `, CPU s node ${(run.cpu.node / 1000).toFixed(1)} FROST ${(run.cpu.frost / 1000).toFixed(1)} PG ${((run.cpu.postgresql ?? 0) / 1000).toFixed(1)}`;
  return `${LABELS[run.way]} ${rate(perSecond(run))}/s (${(run.wallMs / 1000).toFixed(1)} s${servers})`;
}

async function main(): Promise<void> {
  const only = process.argv[2] as Way | undefined;
  if (only !== undefined && !WAYS.includes(only)) {
    console.error(`usage: bench-sensorthings.js [${WAYS.join('|')}]`);
    process.exitCode = 2;
    return;
  }
  console.log(
    `SensorThings benchmark: node ${process.version}, ${os.cpus().length} CPUs, load ${load()}`,
  );
  const wasRunning = await frostRunning();
  try {
    frostInfo = await startFrost();
  } catch (err) {
    const reason = (err instanceof Error ? err.message : String(err)).split('\n').slice(0, 6);
    console.log(`SKIP  FROST-Server could not start, nothing measured:\n  ${reason.join('\n  ')}`);
    // Half started (PostgreSQL up, Tomcat not): what this run started is stopped.
    if (!wasRunning) await frost('stop').catch(() => undefined);
    return;
  }
  tomcatPid = pidFromFile(join(frostInfo.dir, 'tomcat', 'tomcat.pid'));
  postgresPid = pidFromFile(join(frostInfo.dir, 'pg', 'data', 'postmaster.pid'));
  console.log(
    `FROST ${frostInfo.serviceRoot} (war: ${frostInfo.war}); Tomcat pid ${tomcatPid ?? '?'}, PostgreSQL pid ${postgresPid ?? '?'}`,
  );
  console.log(
    `${rate(OBSERVATIONS)} Observations per run (one Thing, ${MEASUREMENTS.length} Datastreams, a FeatureOfInterest each), ${ROUNDS} rounds, ways alternating\n`,
  );
  userDir = mkdtempSync(join(os.tmpdir(), 'senfed-bench-sta-'));
  watchTheNode();
  await watchSyncs();
  const ways = only ? [only] : WAYS;
  const results = new Map<Way, Run[]>(ways.map((w) => [w, []]));
  try {
    const began = performance.now();
    await createEntities();
    console.log(
      `  entities created by a first run of the node (Thing ${entities.thingId}, Datastreams ${entities.datastreamIds.join(', ')}, FeatureOfInterest ${entities.featureOfInterestId}) in ${((performance.now() - began) / 1000).toFixed(1)} s`,
    );
    // Warm-up, not counted: FROST's JIT and connection pools, and ours.
    for (const way of ways) {
      const sent = readings(way === 'post' || way === 'mqtt' ? 50 : 1000);
      if (way === 'node') await runNode(sent);
      else if (way === 'mqtt') await runNode(sent, undefined, 'mqtt');
      else if (way === 'post') await runPost(sent);
      else await runBare(sent);
      await checkStored(way, sent);
    }
    console.log(`  warm-up done (load ${load()})`);
    for (let round = 0; round < ROUNDS; round++) {
      // The node and the bare loop side by side, each first in turn; one POST each around them.
      const order = (round % 2 === 0 ? ROUND_ORDER : [...ROUND_ORDER].reverse()).filter((w) =>
        ways.includes(w),
      );
      const line: string[] = [];
      for (const way of order) {
        const run = await runWay(way);
        results.get(way)!.push(run);
        line.push(describeRun(run));
      }
      console.log(`  round ${round + 1} (load ${load()}): ${line.join('; ')}`);
    }
  } finally {
    await deleteEntities().catch((err: unknown) => console.log(`  (cleanup: ${String(err)})`));
    agent.destroy();
    rmSync(userDir, { recursive: true, force: true });
    await stopFrost();
  }
  report(results);
}

function report(results: Map<Way, Run[]>): void {
  const bare = results.get('bare');
  const bareRate = bare ? median(bare.map(perSecond)) : undefined;
  const rows = [...results].map(([way, list]) => {
    const rates = list.map(perSecond);
    const requestMs = list.flatMap((r) => r.requestMs);
    const perThousand = (pick: (r: Run) => number | undefined): string => {
      const values = list.map(pick).filter((v): v is number => v !== undefined);
      return values.length === list.length
        ? ms(median(values.map((v, i) => (v * 1000) / list[i].observations)))
        : '-';
    };
    return [
      LABELS[way],
      rate(median(rates)),
      `${rate(Math.min(...rates))}–${rate(Math.max(...rates))}`,
      bareRate === undefined ? '-' : `${((median(rates) / bareRate) * 100).toFixed(0)}%`,
      rate(median(list.map((r) => r.requestMs.length))),
      ms(median(requestMs)),
      ms(quantile(requestMs, 0.9)),
      perThousand((r) => r.cpu.node),
      perThousand((r) => r.cpu.frost),
      perThousand((r) => r.cpu.postgresql),
    ];
  });
  console.log(
    `\nSensorThings on FROST (median of ${ROUNDS} runs of ${rate(OBSERVATIONS)} Observations, ${rate(MQTT_OBSERVATIONS)} over MQTT; spread lowest–highest; load ${load()})`,
  );
  console.log(
    table(
      [
        'way',
        'obs/s',
        'spread',
        'of bare',
        'requests',
        'req ms p50',
        'req ms p90',
        'CPU ms/1000 obs: node',
        'FROST',
        'PostgreSQL',
      ],
      rows,
    ),
  );
  const node = results.get('node');
  if (node) {
    const t = (pick: (n: NodeTimeline) => number): number => median(node.map((r) => pick(r.node!)));
    const wall = median(node.map((r) => r.wallMs));
    const share = (value: number): string =>
      `${ms(value)} ms (${((value / wall) * 100).toFixed(0)}%)`;
    console.log(
      `\nWhere the node's ${ms(wall)} ms go (medians): first batch filled and on disk ${share(t((n) => n.leadMs))}, ` +
        `requests ${share(t((n) => n.requestsMs))}, between requests ${share(t((n) => n.gapsMs))}, ` +
        `after the last answer ${share(t((n) => n.tailMs))}; ${t((n) => n.rowsPerRequest).toFixed(0)} rows per request, ` +
        `${t((n) => n.otherRequests)} other requests (find-or-create), ${rate(t((n) => n.syncs))} fsyncs taking ${ms(t((n) => n.syncMs))} ms in all (overlapping the requests)`,
    );
    const during = node.flatMap((r) => r.node!.whileQueuingMs);
    const after = node.flatMap((r) => r.node!.afterQueuingMs);
    console.log(
      `  all ${rate(OBSERVATIONS)} Observations on disk in the queue after ${ms(t((n) => n.queuedMs))} ms; ` +
        `requests sent while packs were still being queued: ${during.length}, p50 ${ms(median(during))} ms; after: ${after.length}, p50 ${ms(median(after))} ms` +
        (bare ? ` (bare: p50 ${ms(median(bare.flatMap((r) => r.requestMs)))} ms)` : ''),
    );
  }
  if (bare && bareRate !== undefined && node) {
    const ratio = median(node.map(perSecond)) / bareRate;
    // Each round's node run against the bare run next to it: steadier on a busy machine.
    const paired = node.map((run, i) => perSecond(run) / perSecond(bare[i]));
    const percent = (r: number): string => `${(r * 100).toFixed(0)}%`;
    console.log(
      `GOAL  sensorthings out >= ${GOAL * 100}% of the bare CreateObservations loop: ${ratio >= GOAL ? 'met' : 'NOT MET'} (${percent(ratio)}; ` +
        `round by round ${paired.map(percent).join(', ')}, median ${percent(median(paired))})`,
    );
  }
  const post = results.get('post');
  if (post && bareRate !== undefined)
    console.log(
      `INFO  batching gains ${(bareRate / median(post.map(perSecond))).toFixed(1)}x over one POST per Observation (FROST's insert cost bounds it)`,
    );
}

main().then(
  () => process.exit(),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
