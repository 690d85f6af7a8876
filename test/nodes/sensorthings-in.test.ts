/**
 * sensorthings in, in Node-RED, against the real FROST-Server: new Observations of the
 * chosen Datastreams come out as resolved SenML packs once each, a redeploy (same user
 * directory) outputs nothing again, a missing Datastream reaches the Catch node, the
 * dialog's picker lists the server's Datastreams.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservations } from '../../lib/sensorthings/data-array';
import { EntityResolver } from '../../lib/sensorthings/find-or-create';
import { packToObservations } from '../../lib/sensorthings/mapping';
import { SensorThingsClient } from '../../lib/sensorthings/http';
import type { EntityId } from '../../lib/sensorthings/model';
import type { ResolvedPack } from '../../lib/senml/model';
import { type Frost, startFrost } from '../support/frost';
import {
  type Msg,
  catchNode,
  collect,
  helper,
  inLanguage,
  sensorthingsInNode,
  sensorthingsOutNode,
  sensorthingsServerNode,
  statuses,
  until,
} from './helper';

const T0 = Date.parse('2024-06-01T00:00:00Z') / 1000;

/** What `sensorthings out` does with a pack: find or create the Datastreams, store the Observations. */
async function writePack(
  resolver: EntityResolver,
  pack: ResolvedPack,
): Promise<Map<string, EntityId>> {
  const datastreams = new Map<string, EntityId>();
  const rows = [];
  for (const spec of packToObservations(pack)) {
    const id = await resolver.datastreamFor(spec.thing, spec.datastream);
    datastreams.set(spec.datastream.name, id);
    const foi = await resolver.featureOfInterestFor(spec.thing);
    rows.push({
      datastreamId: id,
      phenomenonTime: spec.phenomenonTime,
      result: spec.result,
      ...(foi === undefined ? {} : { featureOfInterestId: foi }),
    });
  }
  const outcomes = await createObservations(resolver.client, rows);
  assert.deepEqual(
    outcomes.filter((o) => !o.ok),
    [],
    'every row stored',
  );
  return datastreams;
}

describe('sensorthings in node (real FROST)', function () {
  this.timeout(300_000);
  let frost: Frost;
  let client: SensorThingsClient;
  let resolver: EntityResolver;
  let userDir: string;
  const tag = randomBytes(4).toString('hex');

  before(async function () {
    this.timeout(900_000);
    frost = await startFrost();
    client = new SensorThingsClient({ serviceRoot: frost.serviceRoot });
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

  function flow(datastreams: string, settings: Record<string, unknown> = {}): object[] {
    return [
      { id: 'srv', type: 'sensorthings-server', url: frost.serviceRoot },
      {
        id: 'in',
        type: 'sensorthings-in',
        server: 'srv',
        datastreams,
        interval: '0.2',
        startFrom: 'everything',
        wires: [['out']],
        ...settings,
      },
      { id: 'out', type: 'helper' },
      { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper' },
    ];
  }

  const load = (datastreams: string, settings?: Record<string, unknown>) =>
    helper.load(
      [sensorthingsServerNode, sensorthingsInNode, catchNode],
      flow(datastreams, settings),
    );

  it('outputs new Observations as packs, and nothing again after a redeploy', async () => {
    const buoy = `urn:dev:mac:${tag}0101:`;
    const first: ResolvedPack = [
      { n: `${buoy}water_temperature`, u: 'Cel', t: T0, v: 20 },
      { n: `${buoy}water_temperature`, u: 'Cel', t: T0 + 60, v: 21 },
      { n: `${buoy}door_open`, t: T0, vb: false },
    ];
    const ids = [...(await writePack(resolver, first)).values()];
    await load(ids.join(', '));
    const seen = statuses('in');
    let got: Msg[] = collect('out');
    await until('the first packs', () => got.flatMap((m) => m.payload).length === 3);
    for (const msg of got) {
      assert.equal(msg.topic, buoy);
      assert.ok(ids.includes(msg.datastream.id));
    }
    const records = (msgs: Msg[]) =>
      msgs.flatMap((m) => m.payload).sort((a, b) => (a.n < b.n ? -1 : a.n > b.n ? 1 : a.t - b.t));
    assert.deepEqual(records(got), [first[2], first[0], first[1]]);
    await until('a green status', () => seen.some((s) => s.fill === 'green'));
    assert.equal(seen.find((s) => s.fill === 'green')!.text, 'sensorthings-in.status.polled');

    // Redeploy: a new node instance, the same user directory.
    await helper.unload();
    await load(ids.join(', '));
    got = collect('out');
    const later: ResolvedPack = [{ n: `${buoy}water_temperature`, u: 'Cel', t: T0 + 120, v: 22 }];
    await writePack(resolver, later);
    await until('the new observation', () => got.length >= 1);
    await new Promise((r) => setTimeout(r, 800)); // a few more polls
    assert.deepEqual(records(got), later, 'only what is new, once');
  });

  it('gives back exactly what sensorthings out wrote (names, times, values, units), across a restart of the flows', async () => {
    const buoy = `urn:dev:mac:${tag}0104:`;
    const written: ResolvedPack = [
      { n: `${buoy}water_temperature`, u: 'Cel', t: T0 + 0.25, v: 24.2 },
      { n: `${buoy}battery`, u: 'V', t: T0, v: 3.71 },
      { n: `${buoy}pump_on`, t: T0 + 1, vb: true },
      { n: `${buoy}state`, t: T0 + 2, vs: 'moored' },
    ];
    // Written by the out node, as a flow does.
    await helper.load(
      [sensorthingsServerNode, sensorthingsOutNode, catchNode],
      [
        { id: 'srv', type: 'sensorthings-server', url: frost.serviceRoot },
        {
          id: 'sta-out',
          type: 'sensorthings-out',
          server: 'srv',
          locationMode: 'none',
          batchSize: '500',
          window: '0.2',
        },
        { id: 'catcher', type: 'catch', scope: null, uncaught: false, wires: [['caught']] },
        { id: 'caught', type: 'helper' },
      ],
    );
    const refused = collect('caught');
    helper.getNode('sta-out').receive({ payload: written });
    const ids: EntityId[] = [];
    const listed = async (): Promise<EntityId[]> => {
      const things = await client.get(
        `Things?$filter=${encodeURIComponent(`name eq '${buoy}'`)}&$expand=Datastreams($expand=Observations)`,
      );
      const thing = (
        things.body as {
          value: { Datastreams: { '@iot.id': EntityId; Observations: unknown[] }[] }[];
        }
      ).value[0];
      return (thing?.Datastreams ?? [])
        .filter((d) => d.Observations.length > 0)
        .map((d) => d['@iot.id']);
    };
    for (const end = Date.now() + 60_000; ids.length < 4 && Date.now() < end;) {
      ids.splice(0, ids.length, ...(await listed()));
      if (ids.length < 4) await new Promise((r) => setTimeout(r, 300));
    }
    assert.deepEqual(
      refused.map((m) => m.error.message),
      [],
    );
    assert.equal(ids.length, 4, 'four Datastreams with an Observation each');
    await helper.unload();

    // Read back by the in node, then Node-RED restarted (same user directory): nothing twice.
    const byName = (records: ResolvedPack) => [...records].sort((a, b) => (a.n < b.n ? -1 : 1));
    await load(ids.join(', '));
    let got = collect('out');
    await until('the four records', () => got.flatMap((m) => m.payload).length === 4);
    assert.deepEqual(byName(got.flatMap((m) => m.payload)), byName(written));
    await helper.unload();
    await load(ids.join(', '));
    got = collect('out');
    await new Promise((r) => setTimeout(r, 1500)); // several polls
    assert.deepEqual(got, [], 'nothing again after the restart');
  });

  it('sends a Datastream that does not exist to the Catch node and reads the others', async () => {
    const [id] = (
      await writePack(resolver, [{ n: `urn:dev:mac:${tag}0102:depth`, u: 'm', t: T0, v: 4 }])
    ).values();
    await load(`2000000000, ${id}`);
    const seen = statuses('in');
    const caught = collect('caught');
    const got = collect('out');
    await until('the error', () => caught.length >= 1);
    await until('the pack', () => got.length >= 1);
    assert.equal(caught[0].error.source.id, 'in');
    assert.match(caught[0].error.message, /Datastream 2000000000 does not exist/);
    assert.deepEqual(got[0].payload, [{ n: `urn:dev:mac:${tag}0102:depth`, u: 'm', t: T0, v: 4 }]);
    assert.ok(seen.some((s) => s.fill === 'red' && /does not exist/.test(s.text)));
  });

  it('starts from now when asked: what was there before does not come out', async () => {
    const name = `urn:dev:mac:${tag}0103:salinity`;
    const [id] = (await writePack(resolver, [{ n: name, t: T0, v: 35 }])).values();
    await load(String(id), { startFrom: 'now' });
    const seen = statuses('in');
    const got = collect('out');
    await until('a first poll', () => seen.some((s) => s.fill === 'green'));
    await writePack(resolver, [{ n: name, t: T0 + 1, v: 36 }]);
    await until('the new observation', () => got.length >= 1);
    assert.deepEqual(
      got.flatMap((m) => m.payload),
      [{ n: name, t: T0 + 1, v: 36 }],
    );
  });

  it("lists the server's Datastreams for the dialog", async () => {
    const name = `urn:dev:mac:${tag}0104:turbidity`;
    const [id] = (await writePack(resolver, [{ n: name, u: 'NTU', t: T0, v: 2 }])).values();
    await load(String(id));
    const answer = await helper.request().get('/senfed/sensorthings-in/datastreams?server=srv');
    assert.equal(answer.status, 200);
    const listed = (answer.body.datastreams as { id: EntityId }[]).find((ds) => ds.id === id);
    assert.deepEqual(listed, {
      id,
      name: `${name} (NTU)`,
      thing: `urn:dev:mac:${tag}0104:`,
      observedProperty: 'turbidity',
      unit: '[NTU]',
      observationType: 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement',
    });
    const none = await helper.request().get('/senfed/sensorthings-in/datastreams?server=nope');
    assert.equal(none.status, 404);
    assert.equal(typeof none.body.error, 'string');
  });

  it('fr: the status says in French when it polled and how many came', async () => {
    const name = `urn:dev:mac:${tag}0105:oxygen`;
    const [id] = (await writePack(resolver, [{ n: name, u: 'mg/l', t: T0, v: 7 }])).values();
    await inLanguage('fr', async () => {
      await load(String(id));
      const seen = statuses('in');
      await until('a green status', () => seen.some((s) => s.fill === 'green'));
      assert.match(seen.find((s) => s.fill === 'green')!.text, /· 1 nouvelle · 1 au total$/);
      await helper.unload();
    });
  });
});
