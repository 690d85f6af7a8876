/**
 * `sensorthings server` and `sensorthings out` against the real FROST-Server of
 * scripts/sensorthings/frost.sh: entities created once, every observation stored
 * exactly once and in order, across concurrency and an outage of the server.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as http from 'node:http';
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
  statuses,
  until,
} from './helper';

const completeNode = require('@node-red/nodes/core/common/24-complete.js');

/** Unique per run: tests of other runs (and of each other) never see these Things. */
const RUN = `st-out-${Date.now().toString(36)}-${process.pid}`;
let serial = 0;
const device = (label = 'buoy'): string => `urn:dev:ops:${RUN}-${label}-${++serial}:`;
const T0 = 1_700_000_000;

type Entity = Record<string, any>;
type Answer = { status: number; body: any };
/** The admin API, as supertest offers it (the helper's own typing lists only get). */
const admin = () =>
  helper.request() as unknown as {
    get(path: string): Promise<Answer>;
    post(path: string): { send(body: object): Promise<Answer> };
  };

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

  it('a server node deleted from the flow takes its id cache with it and says so; a redeploy keeps it', async () => {
    const thing = device();
    const cache = join(userDir, 'senfed', 'sensorthings', 'server');
    await load(flow());
    watch();
    assert.equal(
      await send('out', message([{ n: `${thing}temperature`, u: 'Cel', v: 20, t: T0 }])),
      undefined,
    );
    await waitForObservations(thing, 1);
    assert.ok(existsSync(cache) && readdirSync(cache).length > 0, 'the ids are cached on disk');
    // A redeploy (or a restart) closes the node without removing it: the cache stays.
    await helper.unload();
    helper.settings({ userDir });
    assert.ok(existsSync(cache), 'kept across a redeploy');
    await load(flow());
    await helper.getNode('server').close(true);
    assert.equal(existsSync(cache), false, 'the cache folder is gone');
    const logged = helper
      .log()
      .args.map(([event]: [{ id?: string; msg?: unknown }]) => event)
      .filter((event: { id?: string }) => event.id === 'server')
      .map((event: { msg?: unknown }) => String(event.msg));
    assert.ok(logged.includes('sensorthings-server.log.removed'), logged.join('\n'));
  });

  it('refuses a pack that does not fit in its queue, whole, with a clear error; what fits is stored', async () => {
    const thing = device();
    await load(flow({ queueSize: '3' }));
    watch();
    const records = (count: number, from: number) =>
      Array.from({ length: count }, (_, i) => ({
        n: `${thing}level`,
        u: 'm',
        v: from + i,
        t: T0 + from + i,
      }));
    const tooMany = await send('out', message(records(5, 0)));
    assert.ok(tooMany, 'the pack of 5 is refused');
    assert.equal((tooMany as Error & { code?: string }).code, 'STA_QUEUE_FULL');
    assert.match(tooMany!.message, /5/);
    assert.equal(await send('out', message(records(3, 10))), undefined);
    await waitForObservations(thing, 3);
    const stored = (await observationsOf(thing)).map((o) => o.result).sort();
    assert.deepEqual(stored, [10, 11, 12], 'none of the refused pack, all of the next');
  });

  it('stores a name with quotes, Unicode and spaces as it is, and finds it again', async () => {
    const thing = `urn:dev:ops:${RUN} l'été "quai" Ünïcødé ${++serial}/`;
    const measurement = "température de l'eau";
    await load(flow());
    watch();
    for (let t = 0; t < 2; t++)
      assert.equal(
        await send('out', message([{ n: thing + measurement, u: 'Cel', v: 20 + t, t: T0 + t }])),
        undefined,
      );
    const observations = await waitForObservations(thing, 2);
    const found = await things(thing);
    assert.equal(found.length, 1);
    assert.equal(found[0].name, thing);
    assert.equal(found[0].Datastreams.length, 1, 'the second pack found the Datastream again');
    assert.equal(found[0].Datastreams[0].name, `${thing}${measurement} (Cel)`);
    assert.equal(found[0].Datastreams[0].ObservedProperty.name, measurement);
    assert.deepEqual(
      observations.map((o) => o.result),
      [20, 21],
    );
  });

  it('gives Catch a clear error for a unit outside SenML, a NaN value and a row FROST refuses', async () => {
    const thing = device();
    await load(flow());
    const caught = watch();
    const badUnit = await send(
      'out',
      message([
        { n: `${thing}temperature`, u: 'Cel', v: 20, t: T0 },
        { n: `${thing}temperature`, u: 'Celsius', v: 20, t: T0 + 1 },
      ]),
    );
    assert.ok(badUnit, 'an unknown unit fails the message');
    assert.match(badUnit.message, /record 1.*Celsius/);
    const nan = await send('out', message([{ n: `${thing}temperature`, u: 'Cel', v: NaN, t: T0 }]));
    assert.ok(nan, 'NaN fails the message');
    assert.match(nan.message, /record 0/);
    assert.match(nan.message, /finite|NaN|number/i);
    // Nothing of the refused packs was stored.
    await new Promise((r) => setTimeout(r, 600));
    assert.deepEqual(await observationsOf(thing), []);

    // A good pack, then its Datastream deleted behind the node's back: the next row is refused by FROST.
    assert.equal(
      await send('out', message([{ n: `${thing}temperature`, u: 'Cel', v: 1, t: T0 }])),
      undefined,
    );
    await waitForObservations(thing, 1);
    const [ds] = (await things(thing))[0].Datastreams as Entity[];
    await sta.delete(`Datastreams(${ds['@iot.id']})`);
    const before = caught.length;
    const refusedMsg = message([{ n: `${thing}temperature`, u: 'Cel', v: 2, t: T0 + 2 }]);
    assert.equal(await send('out', refusedMsg), undefined, 'queued: done() without error');
    await until(
      'the refused row at Catch',
      () => caught.length > before + 0 && caught.some((m) => m.serverMessage),
    );
    const refused = caught.find((m) => m.serverMessage)!;
    assert.match(
      refused.error.message,
      /record 0: the observation of ".*temperature" at .* was refused by the server/,
    );
    assert.deepEqual(refused.payload, { n: `${thing}temperature`, u: 'Cel', v: 2, t: T0 + 2 });
    // The node forgot the gone Datastream: the next pack creates it again and is stored.
    assert.equal(
      await send('out', message([{ n: `${thing}temperature`, u: 'Cel', v: 3, t: T0 + 3 }])),
      undefined,
    );
    const again = await waitForObservations(thing, 1);
    assert.deepEqual(
      again.map((o) => o.result),
      [3],
    );
  });

  it('answers the test-connection endpoint for a good and a bad service root', async () => {
    await load(flow());
    const deployed = await admin().get('/senfed/sensorthings-server/server/test');
    assert.equal(deployed.status, 200, JSON.stringify(deployed.body));
    assert.equal(deployed.body.ok, true);
    assert.equal(deployed.body.version, 'v1.1');
    assert.equal(deployed.body.extensions.dataArray, true);
    assert.ok(deployed.body.entitySets.includes('Things'));

    const unsaved = await admin()
      .post('/senfed/sensorthings-server/test')
      .send({ url: info.serviceRootV10, auth: 'none' });
    assert.equal(unsaved.status, 200, JSON.stringify(unsaved.body));
    assert.equal(unsaved.body.version, 'v1.0');

    const closed = await admin()
      .post('/senfed/sensorthings-server/test')
      .send({ url: 'http://127.0.0.1:1/FROST-Server/v1.1', auth: 'none' });
    assert.equal(closed.status, 502);
    assert.equal(closed.body.ok, false);
    assert.match(closed.body.error, /cannot be reached/);

    const notSta = await admin()
      .post('/senfed/sensorthings-server/test')
      .send({ url: `http://127.0.0.1:${info.httpPort}/nothing-here/v1.1`, auth: 'none' });
    assert.equal(notSta.status, 502);
    assert.match(notSta.body.error, /40\d/);

    const bad = await admin()
      .post('/senfed/sensorthings-server/test')
      .send({ url: 'ftp://example.org/v1.1' });
    assert.equal(bad.status, 400);
    assert.match(bad.body.error, /http or https/);

    const missing = await admin().get('/senfed/sensorthings-server/nope/test');
    assert.equal(missing.status, 404);
  });

  it('stores 1,000 packs sent at once by two nodes on two server nodes with no duplicate entity, each observation once', async () => {
    const devices = Array.from({ length: 4 }, () => device('pair'));
    await load(
      flow(
        {},
        [
          { id: 'server2', type: 'sensorthings-server', url: info.serviceRoot, auth: 'none' },
          {
            id: 'out2',
            type: 'sensorthings-out',
            server: 'server2',
            locationMode: 'msg',
            batchSize: '500',
            window: '0.2',
            queueSize: '100000',
          },
        ],
        {},
      ).map((n: any) => (n.id === 'out' ? { ...n, locationMode: 'msg' } : n)),
    );
    watch();
    const location = { type: 'Point', coordinates: [2.35, 48.85] };
    const sends: Promise<Error | undefined>[] = [];
    for (let i = 0; i < 1000; i++) {
      const thing = devices[i % devices.length];
      sends.push(
        send(
          i % 2 === 0 ? 'out' : 'out2',
          message([{ n: `${thing}temperature`, u: 'Cel', v: i, t: T0 + i }], { location }),
        ),
      );
    }
    const errors = (await Promise.all(sends)).filter((e) => e !== undefined);
    assert.deepEqual(errors, []);
    const all: Entity[] = [];
    for (const thing of devices) all.push(...(await waitForObservations(thing, 250)));
    for (const thing of devices) {
      const found = await things(thing);
      assert.equal(found.length, 1, `one Thing ${thing}`);
      assert.equal(found[0].Datastreams.length, 1, `one Datastream in ${thing}`);
      assert.equal(found[0].Locations.length, 1, `one Location of ${thing}`);
      const sensors = await sta.getAll(
        `Sensors${queryString({ $filter: `name eq ${odataString(thing)}` })}`,
      );
      assert.equal(sensors.length, 1, `one Sensor ${thing}`);
    }
    assert.equal(all.length, 1000, 'every observation exactly once');
    assert.deepEqual(
      all.map((o) => o.result).sort((a, b) => a - b),
      Array.from({ length: 1000 }, (_, i) => i),
    );
  });

  it('loses and doubles nothing when FROST stops mid-stream and comes back, and keeps the order', async function () {
    this.timeout(600_000);
    const thing = device('outage');
    const late = device('late');
    await load(flow({}, [], {}));
    const seen = watch();
    const shown = statuses('out');
    const pack = (name: string, i: number) => [
      { n: `${name}temperature`, u: 'Cel', v: i, t: T0 + i },
    ];
    for (let i = 0; i < 20; i++)
      assert.equal(await send('out', message(pack(thing, i))), undefined);
    await waitForObservations(thing, 20);
    await frost('stop');
    try {
      // While it is down: packs of a known Thing, and of a Thing never seen (resolved once it is back).
      for (let i = 20; i < 60; i++)
        assert.equal(await send('out', message(pack(thing, i))), undefined);
      for (let i = 0; i < 5; i++)
        assert.equal(await send('out', message(pack(late, i))), undefined);
      await until(
        'the status to show the outage',
        () => shown.some((st) => st.fill === 'red'),
        60_000,
      );
    } finally {
      await frost('start');
    }
    for (let i = 60; i < 80; i++)
      assert.equal(await send('out', message(pack(thing, i))), undefined);
    const stored = await waitForObservations(thing, 80, 240_000);
    const lateStored = await waitForObservations(late, 5, 60_000);
    await new Promise((r) => setTimeout(r, 1500)); // anything sent twice would show now
    const final = await observationsOf(thing);
    assert.equal(final.length, 80, 'no observation doubled');
    assert.deepEqual(
      stored.map((o) => o.result),
      Array.from({ length: 80 }, (_, i) => i),
    );
    // In order: the ids the server gave grow with the times.
    const byId = [...final].sort((a, b) => a['@iot.id'] - b['@iot.id']).map((o) => o.result);
    assert.deepEqual(
      byId,
      Array.from({ length: 80 }, (_, i) => i),
    );
    assert.deepEqual(
      lateStored.map((o) => o.result),
      [0, 1, 2, 3, 4],
    );
    assert.deepEqual(
      seen.filter((m) => m.serverMessage),
      [],
      'no row refused',
    );
    // The status has room for the start of the reason only: the log has it whole, once per outage.
    const warnings = helper
      .log()
      .args.map(([event]: [{ id?: string; level?: number; msg?: unknown }]) => event)
      .filter(
        (event: { id?: string; level?: number }) =>
          event.id === 'out' && event.level === helper.log().WARN,
      )
      .map((event: { msg?: unknown }) => String(event.msg));
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /cannot be reached/);
  });

  it('looks up what a batch whose answer was lost stored before sending it again', async () => {
    // A fault FROST cannot make on demand: a proxy passes the first CreateObservations on and
    // cuts the connection once FROST has answered, so the node never learns the outcome.
    const target = new URL(info.serviceRoot);
    let cut = 0;
    const proxy = http.createServer((req, res) => {
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          if (cut === 0 && req.url?.endsWith('/CreateObservations')) {
            cut += 1;
            answer.resume();
            answer.on('end', () => req.socket.destroy());
            return;
          }
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    const port = (proxy.address() as { port: number }).port;
    try {
      const thing = device('cut');
      await load(
        flow({ batchSize: '10', window: '0.1' }, [], {
          url: `http://127.0.0.1:${port}${target.pathname}`,
        }),
      );
      watch();
      for (let i = 0; i < 10; i++)
        assert.equal(
          await send('out', message([{ n: `${thing}level`, u: 'm', v: i / 10, t: T0 + i }])),
          undefined,
        );
      await waitForObservations(thing, 10);
      await new Promise((r) => setTimeout(r, 3000)); // the retry, and a resend if there were one
      assert.equal(cut, 1, 'the answer of the first batch was lost');
      const stored = await observationsOf(thing);
      assert.equal(stored.length, 10, 'the lost batch was not stored twice');
    } finally {
      proxy.closeAllConnections();
      await new Promise((r) => proxy.close(r));
    }
  });
});
