/**
 * lib/sensorthings/reader.ts: Observations back to resolved SenML (the inverse of
 * mapping.ts), and the poller against the real FROST-Server: what was written comes
 * back once, in order, across restarts, observations sharing one time included.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createObservations } from '../../lib/sensorthings/data-array';
import { EntityResolver } from '../../lib/sensorthings/find-or-create';
import { SensorThingsClient } from '../../lib/sensorthings/http';
import { OM_MEASUREMENT, OM_OBSERVATION, packToObservations } from '../../lib/sensorthings/mapping';
import type { EntityId } from '../../lib/sensorthings/model';
import {
  type DatastreamInfo,
  ObservationPoller,
  type ObservationPollerOptions,
  listDatastreams,
  observationsToPack,
  parseDatastreamIds,
  senmlUnit,
} from '../../lib/sensorthings/reader';
import type { ResolvedPack, ResolvedRecord } from '../../lib/senml/model';
import { unitOfMeasurement } from '../../lib/sensorthings/units';
import { type Frost, startFrost } from '../support/frost';

const T0 = Date.parse('2024-05-01T00:00:00Z') / 1000;

/** What `sensorthings out` does with a pack: find or create the Datastreams, store the Observations. */
export async function writePack(
  resolver: EntityResolver,
  pack: ResolvedPack,
): Promise<Map<string, EntityId>> {
  const specs = packToObservations(pack);
  const datastreams = new Map<string, EntityId>();
  const rows = [];
  for (const spec of specs) {
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
  const failed = outcomes.filter((o) => !o.ok);
  assert.deepEqual(failed, [], 'every row stored');
  return datastreams;
}

const byNameAndTime = (a: ResolvedRecord, b: ResolvedRecord) =>
  a.n < b.n ? -1 : a.n > b.n ? 1 : a.t - b.t;

describe('sensorthings reader: Observations back to SenML', () => {
  const ds = (over: Partial<DatastreamInfo>): DatastreamInfo => ({
    id: 1,
    name: 'urn:dev:mac:0024befffe804ff1:ratio (/)',
    thing: 'urn:dev:mac:0024befffe804ff1:',
    observedProperty: 'ratio',
    unitOfMeasurement: unitOfMeasurement('/')!,
    observationType: OM_MEASUREMENT,
    ...over,
  });

  it('tells units that share a UCUM symbol apart by the Datastream name', () => {
    assert.equal(senmlUnit(ds({})), '/');
    assert.equal(
      senmlUnit(ds({ name: 'x:ratio (%)', unitOfMeasurement: unitOfMeasurement('%')! })),
      '%',
    );
    assert.equal(
      senmlUnit(ds({ name: 'x:v (V)', unitOfMeasurement: unitOfMeasurement('V')! })),
      'V',
    );
    // Another writer's Datastream: the SenML unit of the symbol, or the symbol kept.
    assert.equal(
      senmlUnit(
        ds({ name: 'temp', unitOfMeasurement: { name: 'C', symbol: 'Cel', definition: null } }),
      ),
      'Cel',
    );
    assert.equal(
      senmlUnit(
        ds({ name: 'temp', unitOfMeasurement: { name: 'x', symbol: 'degF', definition: null } }),
      ),
      'degF',
    );
    assert.equal(
      senmlUnit(ds({ unitOfMeasurement: { name: null, symbol: null, definition: null } })),
      undefined,
    );
  });

  it('stamps an interval at its start, sorts by time and skips what SenML cannot carry', () => {
    const skipped: string[] = [];
    const pack = observationsToPack(
      ds({
        observationType: OM_OBSERVATION,
        name: 'x',
        unitOfMeasurement: { name: null, symbol: null, definition: null },
      }),
      [
        { '@iot.id': 3, phenomenonTime: '2024-01-01T00:00:10Z/2024-01-01T00:01:10Z', result: 'b' },
        { '@iot.id': 2, phenomenonTime: '2024-01-01T00:00:05Z', result: null },
        {
          '@iot.id': 1,
          phenomenonTime: '2024-01-01T00:00:00.250Z',
          result: { data: 'AQI', encoding: 'base64url' },
        },
        { '@iot.id': 4, phenomenonTime: 'yesterday', result: 1 },
      ],
      { onSkip: (note) => skipped.push(note.message) },
    );
    assert.deepEqual(pack, [
      {
        n: 'urn:dev:mac:0024befffe804ff1:ratio',
        t: Date.parse('2024-01-01T00:00:00.250Z') / 1000,
        vd: 'AQI',
      },
      {
        n: 'urn:dev:mac:0024befffe804ff1:ratio',
        t: Date.parse('2024-01-01T00:00:10Z') / 1000,
        vs: 'b',
      },
    ]);
    assert.equal(skipped.length, 2);
    assert.match(skipped[0], /Observation 2 of Datastream 1 was skipped: its result/);
    assert.match(skipped[1], /its phenomenonTime/);
  });

  it('names records of a default Thing by their measurement, others Thing/measurement', () => {
    const info = ds({
      thing: 'buoys',
      observedProperty: 'depth',
      name: 'buoys depth (m)',
      unitOfMeasurement: unitOfMeasurement('m')!,
    });
    const record = { '@iot.id': 1, phenomenonTime: '2024-01-01T00:00:00Z', result: 3 };
    assert.equal(observationsToPack(info, [record], { defaultThing: 'buoys' })[0].n, 'depth');
    assert.equal(observationsToPack(info, [record])[0].n, 'buoys/depth');
  });

  it('reads Datastream ids as typed: numbers, quoted texts, commas or spaces', () => {
    assert.deepEqual(parseDatastreamIds("12, 7 'a b','O''Brien'"), [12, 7, 'a b', "O'Brien"]);
    assert.deepEqual(parseDatastreamIds('  '), []);
    assert.throws(() => parseDatastreamIds('12 x7'), /"x7" is not a Datastream id/);
  });
});

describe('sensorthings reader: polling the real FROST', function () {
  this.timeout(300_000);
  let frost: Frost;
  let client: SensorThingsClient;
  let resolver: EntityResolver;
  let dir: string;
  const tag = randomBytes(4).toString('hex');
  const pollers: ObservationPoller[] = [];

  before(async function () {
    this.timeout(900_000);
    frost = await startFrost();
    client = new SensorThingsClient({ serviceRoot: frost.serviceRoot });
    resolver = await EntityResolver.open({ client });
    dir = mkdtempSync(join(tmpdir(), 'senfed-reader-'));
  });

  afterEach(async () => {
    await Promise.all(pollers.splice(0).map((p) => p.close()));
  });

  after(() => {
    client?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** A poller whose packs are collected; its file is per test unless given. */
  function poller(
    datastreams: EntityId[],
    options: Partial<ObservationPollerOptions> = {},
  ): { poller: ObservationPoller; packs: ResolvedPack[]; errors: unknown[]; warnings: string[] } {
    const packs: ResolvedPack[] = [];
    const errors: unknown[] = [];
    const warnings: string[] = [];
    const p = new ObservationPoller({
      client,
      datastreams,
      file: join(dir, `${randomBytes(4).toString('hex')}.json`),
      startFrom: 'everything',
      onPack: ({ pack }) => {
        packs.push(pack);
      },
      onError: (err) => errors.push(err),
      onWarning: (note) => warnings.push(note.message),
      ...options,
    });
    pollers.push(p);
    return { poller: p, packs, errors, warnings };
  }

  it('gives back what the mapping wrote: names, times, values, units and kinds', async () => {
    const buoy = `urn:dev:mac:${tag}0001:`;
    const other = `buoy ${tag} «Ré» 'quay'/`;
    const pack: ResolvedPack = [
      { n: `${buoy}water_temperature`, u: 'Cel', t: T0 + 0.123, v: 21.5 },
      { n: `${buoy}water_temperature`, u: 'Cel', t: T0 + 60, v: -1.25 },
      { n: `${buoy}ratio`, u: '/', t: T0, v: 0.5 },
      { n: `${buoy}charge`, u: '%', t: T0, v: 0.75 },
      { n: `${buoy}energy`, u: 'W', t: T0, s: 3600 },
      { n: `${buoy}door_open`, t: T0 + 1, vb: true },
      { n: `${buoy}state`, t: T0 + 2, vs: 'moored' },
      { n: `${buoy}frame`, t: T0 + 3, vd: 'AQIDBA' },
      { n: `${other}humidity`, u: '%RH', t: T0 + 4, v: 80 },
      { n: `${other}level`, u: 'dBm', t: T0 + 5, v: -90 },
    ];
    const datastreams = await writePack(resolver, pack);
    assert.equal(datastreams.size, 9);
    const { poller: p, packs, errors } = poller([...datastreams.values()]);
    const report = await p.poll();
    assert.deepEqual(errors, []);
    assert.equal(report.records, pack.length);
    assert.equal(packs.length, 9, 'one pack per Datastream');
    assert.deepEqual(packs.flat().sort(byNameAndTime), [...pack].sort(byNameAndTime));
    for (const got of packs)
      assert.deepEqual(
        got,
        [...got].sort((a, b) => a.t - b.t),
        'sorted by time',
      );
    assert.equal((await p.poll()).records, 0, 'nothing twice');
  });

  it('outputs new Observations once, none from before "now"', async () => {
    const name = `urn:dev:mac:${tag}0002:temperature`;
    const [id] = (await writePack(resolver, [{ n: name, u: 'Cel', t: T0, v: 1 }])).values();
    const { poller: p, packs } = poller([id], { startFrom: 'now' });
    assert.equal((await p.poll()).records, 0, 'what was there before is not output');
    await writePack(resolver, [
      { n: name, u: 'Cel', t: T0 + 10, v: 2 },
      { n: name, u: 'Cel', t: T0 + 20, v: 3 },
    ]);
    await p.poll();
    await p.poll();
    assert.deepEqual(
      packs.flat().map((r) => r.v),
      [2, 3],
    );
    await writePack(resolver, [{ n: name, u: 'Cel', t: T0 + 30, v: 4 }]);
    await p.poll();
    assert.deepEqual(
      packs.flat().map((r) => r.v),
      [2, 3, 4],
    );
  });

  it('resumes after a restart (same file, new poller) with no repeat and no gap', async () => {
    const name = `urn:dev:mac:${tag}0003:temperature`;
    const values = [1, 2, 3, 4, 5, 6, 7];
    const [id] = (
      await writePack(
        resolver,
        values.slice(0, 5).map((v) => ({ n: name, u: 'Cel', t: T0 + v, v })),
      )
    ).values();
    const file = join(dir, `restart-${tag}.json`);
    const got: ResolvedRecord[] = [];
    // The first one hands on one page of 2, then fails on the next (Node-RED stopped mid-way).
    let handed = 0;
    const first = poller([id], {
      file,
      pageSize: 2,
      onPack: ({ pack }) => {
        if (handed >= 1) throw new Error('stopped');
        handed++;
        got.push(...pack);
      },
    });
    await first.poller.poll();
    await first.poller.close();
    assert.deepEqual(
      got.map((r) => r.v),
      [1, 2],
    );
    assert.equal(statSync(file).mode & 0o777, 0o600);
    await writePack(
      resolver,
      values.slice(5).map((v) => ({ n: name, u: 'Cel', t: T0 + v, v })),
    );
    const second = poller([id], {
      file,
      pageSize: 2,
      onPack: ({ pack }) => void got.push(...pack),
    });
    await second.poller.poll();
    assert.deepEqual(
      got.map((r) => r.v),
      values,
    );
    const third = poller([id], { file, pageSize: 2, onPack: ({ pack }) => void got.push(...pack) });
    await third.poller.poll();
    assert.deepEqual(
      got.map((r) => r.v),
      values,
      'a third start outputs nothing again',
    );
  });

  it('delivers every Observation of one time, across pages, intervals starting then too', async () => {
    const name = `urn:dev:mac:${tag}0004:count`;
    const same = Array.from({ length: 5 }, (_, i) => ({ n: name, u: 'count', t: T0, v: i }));
    const [id] = (await writePack(resolver, same)).values();
    const { poller: p, packs } = poller([id], { pageSize: 2 });
    await p.poll();
    assert.deepEqual(
      packs
        .flat()
        .map((r) => r.v)
        .sort(),
      [0, 1, 2, 3, 4],
    );
    assert.equal(packs.length, 3, 'pages of 2');
    // Intervals and an instant that all start at the last time read, stored later.
    const start = new Date(T0 * 1000).toISOString();
    const feature = (
      (
        await client.get(
          `Datastreams(${id})/Observations?$top=1&$expand=FeatureOfInterest($select=id)`,
        )
      ).body as { value: { FeatureOfInterest: { '@iot.id': EntityId } }[] }
    ).value[0].FeatureOfInterest['@iot.id'];
    for (const [i, phenomenonTime] of [
      `${start}/${new Date(T0 * 1000 + 5000).toISOString()}`,
      `${start}/${new Date(T0 * 1000 + 3000).toISOString()}`,
      start,
    ].entries())
      await client.post(`Datastreams(${id})/Observations`, {
        phenomenonTime,
        result: 10 + i,
        FeatureOfInterest: { '@iot.id': feature },
      });
    await p.poll();
    await p.poll();
    assert.deepEqual(
      packs
        .flat()
        .map((r) => r.v)
        .sort(),
      [0, 1, 10, 11, 12, 2, 3, 4],
    );
    assert.ok(
      packs.flat().every((r) => r.t === T0),
      'intervals stamped at their start',
    );
  });

  it('says clearly that a Datastream does not exist, and polls the others', async () => {
    const name = `urn:dev:mac:${tag}0005:temperature`;
    const [id] = (await writePack(resolver, [{ n: name, u: 'Cel', t: T0, v: 9 }])).values();
    const { poller: p, packs, errors } = poller([2_000_000_000, id]);
    const report = await p.poll();
    assert.equal(report.failed, 1);
    assert.equal(errors.length, 1);
    assert.equal((errors[0] as { messageId: string }).messageId, 'STA_DATASTREAM_MISSING');
    assert.match(
      (errors[0] as Error).message,
      new RegExp(
        `Datastream 2000000000 does not exist on ${frost.serviceRoot.replace(/\./g, '\\.')}`,
      ),
    );
    assert.deepEqual(
      packs.flat().map((r) => r.v),
      [9],
    );
  });

  it('waits a backoff, not the interval, after the server could not be reached', async () => {
    const gone = new SensorThingsClient({ serviceRoot: 'http://127.0.0.1:1/FROST-Server/v1.1' });
    const errors: unknown[] = [];
    const p = new ObservationPoller({
      client: gone,
      datastreams: [1],
      file: join(dir, `gone-${tag}.json`),
      intervalMs: 600_000,
      backoff: { initialMs: 20, maxMs: 40, minMs: 10 },
      onPack: () => undefined,
      onError: (err) => errors.push(err),
    });
    pollers.push(p);
    p.start();
    await new Promise((r) => setTimeout(r, 600));
    await p.close();
    assert.ok(errors.length >= 3, `${errors.length} tries`);
    assert.equal((errors[0] as { messageId: string }).messageId, 'STA_UNREACHABLE');
  });

  it('lists the Datastreams with their Thing and unit', async () => {
    const name = `urn:dev:mac:${tag}0006:pressure`;
    const [id] = (await writePack(resolver, [{ n: name, u: 'hPa', t: T0, v: 1013 }])).values();
    const listed = (await listDatastreams(client)).find((ds) => ds.id === id);
    assert.deepEqual(listed, {
      id,
      name: `${name} (hPa)`,
      thing: `urn:dev:mac:${tag}0006:`,
      observedProperty: 'pressure',
      unit: 'hPa',
      observationType: OM_MEASUREMENT,
    });
  });
});
