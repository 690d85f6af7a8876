/**
 * `sensorthings server` and `sensorthings out` against the real FROST-Server of
 * scripts/sensorthings/frost.sh: entities created once, every observation stored
 * exactly once and in order, across concurrency and an outage of the server.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SensorThingsClient, odataString, queryString } from '../../lib/sensorthings/http';
import { type Frost, frost, startFrost } from '../support/frost';
import {
  type Msg,
  catchNode,
  collect,
  helper,
  inTab,
  sensorthingsOutNode,
  sensorthingsServerNode,
  until,
} from './helper';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const completeNode = require('@node-red/nodes/core/common/24-complete.js');

/** Unique per run: tests of other runs (and of each other) never see these Things. */
const RUN = `st-out-${Date.now().toString(36)}-${process.pid}`;
let serial = 0;
const device = (label = 'buoy'): string => `urn:dev:ops:${RUN}-${label}-${++serial}:`;
const T0 = 1_700_000_000;

type Entity = Record<string, any>;

describe('sensorthings out, on a real FROST-Server', function () {
  this.timeout(300_000);
  let info: Frost;
  let sta: SensorThingsClient;
  let userDir: string;

  before(async function () {
    this.timeout(900_000);
    info = await startFrost();
    sta = new SensorThingsClient({ serviceRoot: info.serviceRoot });
  });
  beforeEach(() => {
    userDir = mkdtempSync(join(tmpdir(), 'senfed-st-out-'));
    helper.settings({ userDir });
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(userDir, { recursive: true, force: true });
  });
  after(() => sta.close());

  function flow(
    out: Record<string, unknown> = {},
    extra: object[] = [],
    server: Record<string, unknown> = {},
  ): object[] {
    return inTab([
      { id: 'server', type: 'sensorthings-server', url: info.serviceRoot, auth: 'none', ...server },
      {
        id: 'out',
        type: 'sensorthings-out',
        server: 'server',
        locationMode: 'none',
        batchSize: '500',
        window: '0.2',
        queueSize: '100000',
        ...out,
      },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', wires: [] },
      {
        id: 'completer',
        type: 'complete',
        scope: ['out', 'out2'],
        uncaught: false,
        wires: [['completed']],
      },
      { id: 'completed', type: 'helper', wires: [] },
      ...extra,
    ]);
  }

  const load = (nodes: object[]): Promise<void> =>
    helper.load([sensorthingsServerNode, sensorthingsOutNode, catchNode, completeNode], nodes);

  async function things(name: string): Promise<Entity[]> {
    return sta.getAll(
      `Things${queryString({
        $filter: `name eq ${odataString(name)}`,
        $expand:
          'Locations,Datastreams($expand=Sensor,ObservedProperty,Observations($orderby=phenomenonTime asc,id asc;$top=10000))',
      })}`,
    );
  }

  async function observationsOf(thing: string): Promise<Entity[]> {
    const found = await things(thing);
    return found.flatMap((t) =>
      (t.Datastreams as Entity[]).flatMap((ds) =>
        (ds.Observations as Entity[]).map((o) => ({ ...o, datastream: ds.name })),
      ),
    );
  }

  async function waitForObservations(
    thing: string,
    count: number,
    ms = 120_000,
  ): Promise<Entity[]> {
    let last: Entity[] = [];
    const end = Date.now() + ms;
    while (Date.now() < end) {
      last = await observationsOf(thing).catch(() => last);
      if (last.length >= count) return last;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`timed out: ${last.length} of ${count} observations of ${thing}`);
  }

  /** done() of each message, by _msgid: the error, or null for success (complete and catch nodes tell). */
  let outcomes: Map<string, Error | null>;

  /** Sends a message to a node and resolves with the error its done() gave, or undefined. */
  async function send(nodeId: string, msg: Msg): Promise<Error | undefined> {
    helper.getNode(nodeId).receive(msg);
    await until(`done() of ${msg._msgid}`, () => outcomes.has(msg._msgid), 120_000);
    return outcomes.get(msg._msgid) ?? undefined;
  }

  /** Watches the catch and complete nodes: call after load(). */
  function watch(): Msg[] {
    outcomes = new Map();
    const caught = collect('caught');
    helper.getNode('caught').on('input', (m: Msg) => {
      if (!outcomes.has(m._msgid)) outcomes.set(m._msgid, m.error as Error);
    });
    helper.getNode('completed').on('input', (m: Msg) => outcomes.set(m._msgid, null));
    return caught;
  }

  let msgSerial = 0;
  const message = (payload: unknown, more: Msg = {}): Msg => ({
    _msgid: `m${++msgSerial}`,
    payload,
    ...more,
  });

  it('creates Thing, Location, Sensor, ObservedProperty and Datastreams with the first pack, then reuses them', async () => {
    const thing = device();
    await load(flow({ locationMode: 'node', lon: '166.45', lat: '-22.27', alt: '-3' }));
    watch();
    const pack = (t: number) => [
      { n: `${thing}temperature`, u: 'Cel', v: 24.5 + t, t: T0 + t },
      { n: `${thing}salinity`, u: '%', v: 35.1, t: T0 + t },
    ];
    assert.equal(await send('out', message(pack(0))), undefined);
    await waitForObservations(thing, 2);
    let found = await things(thing);
    assert.equal(found.length, 1, 'one Thing');
    assert.equal(found[0].Locations.length, 1, 'one Location');
    assert.deepEqual(found[0].Locations[0].location.coordinates, [166.45, -22.27, -3]);
    const streams = found[0].Datastreams as Entity[];
    assert.deepEqual(streams.map((d) => d.name).sort(), [
      `${thing}salinity (%)`,
      `${thing}temperature (Cel)`,
    ]);
    const temperature = streams.find((d) => d.name.endsWith('(Cel)'))!;
    assert.equal(temperature.unitOfMeasurement.symbol, 'Cel');
    assert.equal(temperature.Sensor.name, thing);
    assert.equal(temperature.ObservedProperty.name, 'temperature');
    assert.equal(temperature.Observations[0].result, 24.5);
    assert.equal(temperature.Observations[0].phenomenonTime, '2023-11-14T22:13:20Z');

    for (let t = 1; t <= 3; t++) assert.equal(await send('out', message(pack(t))), undefined);
    await waitForObservations(thing, 8);
    found = await things(thing);
    assert.equal(found.length, 1, 'still one Thing');
    assert.equal(found[0].Locations.length, 1, 'still one Location');
    assert.equal(found[0].Datastreams.length, 2, 'still two Datastreams');
    const sensors = await sta.getAll(
      `Sensors${queryString({ $filter: `name eq ${odataString(thing)}` })}`,
    );
    assert.equal(sensors.length, 1, 'one Sensor');
    const temps = found[0].Datastreams.find((d: Entity) => d.name.endsWith('(Cel)')).Observations;
    assert.deepEqual(
      temps.map((o: Entity) => o.result),
      [24.5, 25.5, 26.5, 27.5],
    );
  });
});
