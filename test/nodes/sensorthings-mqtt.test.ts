/**
 * The MQTT side of the SensorThings nodes (STA 1.1 §14) against the real FROST-Server
 * and its own broker: `sensorthings out` creating over MQTT (in FROST afterwards, in
 * order, none twice, none lost while FROST is stopped and started again), and
 * `sensorthings in` by MQTT subscription (an Observation stored over HTTP comes out
 * within a second, each once across a redeploy and a FROST restart), msg.meta going
 * out and coming back.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EntityResolver } from '../../lib/sensorthings/find-or-create';
import { SensorThingsClient } from '../../lib/sensorthings/http';
import { packToObservations } from '../../lib/sensorthings/mapping';
import type { EntityId } from '../../lib/sensorthings/model';
import type { ResolvedPack, ResolvedRecord } from '../../lib/senml/model';
import { type Frost, frost, startFrost } from '../support/frost';
import {
  type Msg,
  catchNode,
  collect,
  helper,
  sensorthingsInNode,
  sensorthingsOutNode,
  sensorthingsServerNode,
  statuses,
  until,
} from './helper';

const T0 = Date.parse('2024-07-01T00:00:00Z') / 1000;

/** Node-RED's runtime hooks, as far as used here. */
interface Hooks {
  add(name: string, hook: (event: { msg: Msg; destination: { id: string } }) => void): void;
  remove(name: string): void;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('sensorthings nodes over MQTT (real FROST and its broker)', function () {
  this.timeout(300_000);
  let info: Frost;
  let client: SensorThingsClient;
  let resolver: EntityResolver;
  let userDir: string;
  const tag = randomBytes(4).toString('hex');

  before(async function () {
    this.timeout(900_000);
    info = await startFrost();
    client = new SensorThingsClient({ serviceRoot: info.serviceRoot });
    resolver = await EntityResolver.open({ client });
  });

  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), 'senfed-userdir-'));
    helper.settings({ userDir });
  });

  afterEach(async () => {
    await helper.unload();
    rmSync(userDir, { recursive: true, force: true });
  });

  after(() => client?.close());

  const server = () => ({
    id: 'srv',
    type: 'sensorthings-server',
    url: info.serviceRoot,
    mqttUrl: info.mqttUrl,
  });
  const outNode = (settings: Record<string, unknown> = {}) => ({
    id: 'sta-out',
    type: 'sensorthings-out',
    server: 'srv',
    locationMode: 'none',
    batchSize: '500',
    window: '0.2',
    createOver: 'mqtt',
    ...settings,
  });
  const inNode = (datastreams: string, settings: Record<string, unknown> = {}) => ({
    id: 'sta-in',
    type: 'sensorthings-in',
    server: 'srv',
    datastreams,
    interval: '60', // long: what comes out in these tests comes by MQTT
    startFrom: 'everything',
    mode: 'mqtt',
    wires: [['got']],
    ...settings,
  });
  const catcher = [
    { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper' },
  ];
  const load = (nodes: object[]) =>
    helper.load(
      [sensorthingsServerNode, sensorthingsOutNode, sensorthingsInNode, catchNode],
      [server(), ...nodes, ...catcher],
    );

  /** The Datastreams of a Thing, by name. */
  async function datastreamsOf(thing: string): Promise<Map<string, EntityId>> {
    const answer = await client.get(
      `Things?$filter=${encodeURIComponent(`name eq '${thing}'`)}&$expand=Datastreams($select=id,name)`,
    );
    const found = (
      answer.body as { value: { Datastreams: { '@iot.id': EntityId; name: string }[] }[] }
    ).value[0];
    return new Map((found?.Datastreams ?? []).map((d) => [d.name, d['@iot.id']]));
  }

  /** Every Observation of a Datastream, in phenomenonTime order. */
  async function observationsOf(id: EntityId): Promise<Record<string, unknown>[]> {
    return client.getAll(
      `Datastreams(${String(id)})/Observations?$orderby=${encodeURIComponent('phenomenonTime asc,id asc')}&$select=id,phenomenonTime,result,parameters&$top=1000`,
    );
  }

  async function waitForCount(id: () => Promise<EntityId | undefined>, count: number, ms: number) {
    const end = Date.now() + ms;
    let seen = -1;
    while (Date.now() < end) {
      const ds = await id().catch(() => undefined);
      if (ds !== undefined) {
        seen = (await observationsOf(ds).catch(() => [])).length;
        if (seen >= count) return;
      }
      await sleep(250);
    }
    throw new Error(`timed out waiting for ${count} observations (saw ${seen})`);
  }

  /** Stores a pack over HTTP, as another writer would; the Datastream ids by name. */
  async function storeOverHttp(pack: ResolvedPack, meta?: Record<string, unknown>) {
    const ids = new Map<string, EntityId>();
    for (const spec of packToObservations(pack, meta === undefined ? {} : { meta })) {
      const id = await resolver.datastreamFor(spec.thing, spec.datastream);
      ids.set(spec.datastream.name, id);
      const foi = await resolver.featureOfInterestFor(spec.thing);
      await client.post(`Datastreams(${String(id)})/Observations`, {
        phenomenonTime: spec.phenomenonTime,
        result: spec.result,
        ...(spec.parameters === undefined ? {} : { parameters: spec.parameters }),
        ...(foi === undefined ? {} : { FeatureOfInterest: { '@iot.id': foi } }),
      });
    }
    return ids;
  }

  it('out over MQTT: 1 000 observations end up in FROST, in order, none twice', async () => {
    const buoy = `urn:dev:mac:${tag}0201:`;
    const name = `${buoy}water_temperature`;
    await load([outNode()]);
    const refused = collect('caught');
    const pack: ResolvedPack = Array.from({ length: 1000 }, (_, i) => ({
      n: name,
      u: 'Cel',
      t: T0 + i,
      v: i / 10,
    }));
    const started = Date.now();
    helper.getNode('sta-out').receive({ payload: pack });
    const id = async () => (await datastreamsOf(buoy)).get(`${name} (Cel)`);
    await waitForCount(id, 1000, 120_000);
    const tookMs = Date.now() - started;
    await sleep(1000); // anything doubled would show by now
    const stored = await observationsOf((await id())!);
    assert.equal(stored.length, 1000, 'each once');
    assert.deepEqual(
      stored.map((o) => o.result),
      pack.map((r) => r.v),
      'in the order of their times',
    );
    assert.equal(stored[0].phenomenonTime, '2024-07-01T00:00:00Z');
    assert.deepEqual(refused, []);
    console.log(`      1 000 observations over MQTT stored in ${tookMs} ms`);
  });

  it('in by MQTT: an Observation stored over HTTP comes out as a SenML pack within a second', async () => {
    const buoy = `urn:dev:mac:${tag}0202:`;
    const first: ResolvedPack = [{ n: `${buoy}salinity`, t: T0, v: 35 }];
    const [id] = (await storeOverHttp(first)).values();
    await load([inNode(String(id)), { id: 'got', type: 'helper' }]);
    const seen = statuses('sta-in');
    const got = collect('got');
    await until('the catch-up of what was there', () => got.length >= 1);
    assert.deepEqual(got[0].payload, first);
    await until('a connected status', () =>
      seen.some((s) => s.fill === 'green' && s.text === 'sensorthings-in.status.connected'),
    );
    const latencies: number[] = [];
    for (let k = 1; k <= 5; k++) {
      const record: ResolvedRecord = { n: `${buoy}salinity`, t: T0 + k, v: 35 + k };
      const before = got.length;
      const start = Date.now();
      await storeOverHttp([record]);
      await until('the live observation', () => got.length > before, 5_000);
      latencies.push(Date.now() - start);
      assert.deepEqual(got[before].payload, [record]);
    }
    console.log(`      HTTP POST to SenML pack out by MQTT: ${latencies.join(', ')} ms`);
    // The first may wait for the read 2 s after connecting (FROST notifies a topic a moment
    // after its SUBACK); once FROST tells, each comes within a second.
    assert.ok(
      Math.max(...latencies.slice(1)) < 1000,
      `within a second: ${latencies.join(', ')} ms`,
    );
    await sleep(500);
    assert.equal(got.length, 6, 'each once');
  });

  it('in by MQTT: a redeploy while observations are written outputs each one once', async () => {
    const buoy = `urn:dev:mac:${tag}0203:`;
    const name = `${buoy}depth`;
    const [id] = (await storeOverHttp([{ n: name, u: 'm', t: T0, v: 0 }])).values();
    const flow = [inNode(String(id)), { id: 'got', type: 'helper' }];
    // Every message to `got` from the first moment of each deploy (a node starts reading before
    // helper.load resolves), whichever instance sent it.
    const received: Msg[] = [];
    const hooks = (helper as unknown as { _RED: { hooks: Hooks } })._RED.hooks;
    hooks.add('onReceive.senfed-mqtt-test', (event) => {
      if (event.destination.id === 'got') received.push(event.msg);
    });
    after(() => hooks.remove('*.senfed-mqtt-test'));
    await load(flow);
    const records = () => received.flatMap((m) => m.payload as ResolvedRecord[]);
    await until('the first one', () => records().length >= 1);
    const writing = (async () => {
      for (let i = 1; i <= 60; i++) {
        await storeOverHttp([{ n: name, u: 'm', t: T0 + i, v: i }]);
        await sleep(25);
      }
    })();
    for (let round = 0; round < 3; round++) {
      await sleep(400);
      await helper.unload(); // the same user directory: a redeploy
      await load(flow);
    }
    await writing;
    await until('all 61 observations', () => records().length >= 61, 60_000).catch((err) => {
      throw new Error(
        `${(err as Error).message}: got ${records()
          .map((r) => r.v)
          .join(',')}`,
      );
    });
    await sleep(800);
    assert.deepEqual(
      records().map((r) => r.v),
      Array.from({ length: 61 }, (_, i) => i),
      'each once, in order',
    );
  });

  it('msg.meta goes out over MQTT and comes back on msg.meta by MQTT', async () => {
    const buoy = `urn:dev:mac:${tag}0204:`;
    const name = `${buoy}oxygen`;
    // The Datastream made first, so that the in node can be told its id.
    const [id] = (await storeOverHttp([{ n: name, u: 'mg/l', t: T0, v: 7 }])).values();
    await load([outNode(), inNode(String(id)), { id: 'got', type: 'helper' }]);
    const got = collect('got');
    await until('the first one', () => got.length >= 1);
    assert.equal(got[0].meta, undefined, 'no parameters, no meta');
    const meta = { source: 'buoy 4', purpose: 'dpv:ResearchAndDevelopment', period: 'PT10M' };
    helper.getNode('sta-out').receive({
      payload: [
        { n: name, u: 'mg/l', t: T0 + 1, v: 7.1 },
        { n: name, u: 'mg/l', t: T0 + 2, v: 7.2 },
      ],
      meta,
    });
    await until('the pack with its meta', () => got.flatMap((m) => m.payload).length >= 3, 30_000);
    await sleep(500);
    const live = got.slice(1);
    assert.deepEqual(
      live.flatMap((m) => m.payload),
      [
        { n: name, u: 'mg/l', t: T0 + 1, v: 7.1 },
        { n: name, u: 'mg/l', t: T0 + 2, v: 7.2 },
      ],
    );
    for (const msg of live) assert.deepEqual(msg.meta, meta);
  });

  it('out refuses at once without an MQTT URL, and says so', async () => {
    await helper.load(
      [sensorthingsServerNode, sensorthingsOutNode, catchNode],
      [{ id: 'srv', type: 'sensorthings-server', url: info.serviceRoot }, outNode(), ...catcher],
    );
    const caught = collect('caught');
    helper
      .getNode('sta-out')
      .receive({ payload: [{ n: `urn:dev:mac:${tag}0205:x`, t: T0, v: 1 }] });
    await until('the error', () => caught.length >= 1);
    assert.match(caught[0].error.message, /no MQTT URL/);
  });

  it('out over MQTT: an observation FROST drops (its Datastream deleted) reaches the Catch node', async () => {
    const buoy = `urn:dev:mac:${tag}0206:`;
    const name = `${buoy}turbidity`;
    await load([outNode()]);
    const caught = collect('caught');
    helper.getNode('sta-out').receive({ payload: [{ n: name, u: 'NTU', t: T0, v: 1 }] });
    const id = async () => (await datastreamsOf(buoy)).get(`${name} (NTU)`);
    await waitForCount(id, 1, 30_000);
    // Deleted behind the node's back: the node still has its id, FROST only logs "Nothing found".
    await client.request('DELETE', `Datastreams(${String(await id())})`);
    helper.getNode('sta-out').receive({ payload: [{ n: name, u: 'NTU', t: T0 + 1, v: 2 }] });
    await until('the error', () => caught.length >= 1, 60_000);
    assert.equal(caught[0].payload.v, 2);
    assert.match(caught[0].error.message, /did not store it/);
    // The node found out the Datastream is gone: the next reading makes it again, and is stored.
    helper.getNode('sta-out').receive({ payload: [{ n: name, u: 'NTU', t: T0 + 2, v: 3 }] });
    await waitForCount(id, 1, 30_000);
    const again = await client.getAll(`Datastreams(${String(await id())})/Observations`);
    assert.deepEqual(
      again.map((o) => o.result),
      [3],
    );
    assert.equal(caught.length, 1, 'nothing else refused');
  });

  // Last: it stops FROST.
  it('out over MQTT and in by MQTT across a FROST stop and start: nothing lost, nothing twice', async () => {
    const buoy = `urn:dev:mac:${tag}0207:`;
    const name = `${buoy}water_level`;
    const [id] = (await storeOverHttp([{ n: name, u: 'm', t: T0, v: 0 }])).values();
    await load([outNode(), inNode(String(id)), { id: 'got', type: 'helper' }]);
    const got = collect('got');
    const seenOut = statuses('sta-out');
    const seenIn = statuses('sta-in');
    await until('the first one', () => got.length >= 1);
    const total = 400;
    const sending = (async () => {
      for (let i = 1; i <= total; i += 10) {
        const pack = Array.from({ length: 10 }, (_, k) => ({
          n: name,
          u: 'm',
          t: T0 + i + k,
          v: i + k,
        }));
        helper.getNode('sta-out').receive({ payload: pack });
        await sleep(100);
      }
    })();
    await sleep(1500);
    const stopped = Date.now();
    await frost('stop');
    console.log(`      FROST stopped in ${Date.now() - stopped} ms`);
    await sending;
    await until('the out node telling the error', () => seenOut.some((s) => s.fill === 'red'));
    await until('the in node telling it is disconnected', () =>
      seenIn.some((s) => s.fill === 'red' && /status.disconnected/.test(s.text)),
    );
    const restarted = Date.now();
    await frost('start');
    console.log(`      FROST started again in ${Date.now() - restarted} ms`);
    await waitForCount(async () => id, total + 1, 180_000);
    await sleep(2000);
    const stored = await observationsOf(id);
    assert.equal(stored.length, total + 1, 'each once in FROST');
    assert.deepEqual(
      stored.map((o) => o.result),
      Array.from({ length: total + 1 }, (_, i) => i),
    );
    const records = () => got.flatMap((m: Msg) => m.payload as ResolvedRecord[]);
    await until('the in node catching up', () => records().length >= total + 1, 90_000).catch(
      (err) => {
        const out = new Set(records().map((r) => r.v));
        const missing = Array.from({ length: total + 1 }, (_, i) => i).filter((v) => !out.has(v));
        throw new Error(`${(err as Error).message}: ${out.size} out, missing ${missing.join(',')}`);
      },
    );
    await sleep(1000);
    assert.deepEqual(
      records().map((r) => r.v),
      Array.from({ length: total + 1 }, (_, i) => i),
      'each once out of the in node, in order',
    );
    assert.ok(
      seenOut.some((s) => s.fill === 'green'),
      'all stored again',
    );
  });
});
