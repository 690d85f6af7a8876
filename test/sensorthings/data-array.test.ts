/**
 * lib/sensorthings/data-array.ts against the real FROST-Server: every row of a
 * CreateObservations answer read (a URL or FROST's "error …"), the stored rows found
 * again before a resend, and the throughput of batches of 500 on this machine.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import {
  createObservations,
  findObservation,
  findObservations,
  offsetWithColon,
  type ObservationRow,
} from '../../lib/sensorthings/data-array';
import { EntityResolver } from '../../lib/sensorthings/find-or-create';
import { SensorThingsClient } from '../../lib/sensorthings/http';
import type { EntityId } from '../../lib/sensorthings/model';
import { type Frost, startFrost } from '../support/frost';
import { datastreamSpec, thingSpec } from './specs';

const BASE = Date.parse('2024-03-01T00:00:00Z');
const at = (i: number) => new Date(BASE + i * 1000).toISOString();

describe('sensorthings DataArray writer (real FROST)', function () {
  this.timeout(300_000);
  let frost: Frost;
  let client: SensorThingsClient;
  let resolver: EntityResolver;
  const tag = randomBytes(4).toString('hex');
  let located: EntityId;

  before(async function () {
    this.timeout(900_000);
    frost = await startFrost();
    client = new SensorThingsClient({ serviceRoot: frost.serviceRoot });
    resolver = await EntityResolver.open({ client });
    located = await resolver.datastreamFor(
      thingSpec(`array buoy ${tag}`),
      datastreamSpec(`array temperature ${tag}`, `array sensor ${tag}`, `array property ${tag}`),
    );
  });

  after(() => client?.close());

  async function countOf(datastreamId: EntityId): Promise<number> {
    const answer = await client.get(`Datastreams(${datastreamId})/Observations?$count=true&$top=0`);
    return (answer.body as { '@iot.count': number })['@iot.count'];
  }

  it('stores 500 rows in one call and maps every answer row to its new id', async () => {
    const rows: ObservationRow[] = Array.from({ length: 500 }, (_, i) => ({
      datastreamId: located,
      phenomenonTime: at(i),
      result: 20 + i / 100,
      ...(i % 3 === 0 ? { parameters: { seq: i } } : {}),
    }));
    const outcomes = await createObservations(client, rows);
    assert.equal(outcomes.length, 500);
    assert.ok(outcomes.every((o) => o.ok));
    const ids = outcomes.map((o) => (o.ok ? o.id : undefined));
    assert.equal(new Set(ids).size, 500);
    assert.equal(await countOf(located), 500);
    // Each id is its own row's (rows with parameters went in another DataArray item).
    for (const i of [0, 1, 3, 250, 498, 499]) {
      const obs = (await client.get(`Observations(${ids[i]})`)).body as any;
      assert.equal(obs.result, rows[i].result, `row ${i}`);
      assert.equal(Date.parse(obs.phenomenonTime), Date.parse(rows[i].phenomenonTime));
      assert.deepEqual(obs.parameters ?? undefined, rows[i].parameters, `row ${i}`);
    }
  });

  it("gives a row for a Datastream that does not exist FROST's error while the others are stored", async () => {
    const before = await countOf(located);
    const missing = 2_000_000_000;
    const foi = (
      await client.get(
        `Datastreams(${located})/Observations?$top=1&$expand=FeatureOfInterest($select=id)`,
      )
    ).body as any;
    const foiId = foi.value[0].FeatureOfInterest['@iot.id'];
    const outcomes = await createObservations(client, [
      { datastreamId: located, phenomenonTime: at(1000), result: 1 },
      { datastreamId: missing, phenomenonTime: at(1001), result: 2 },
      { datastreamId: located, phenomenonTime: at(1002), result: 3 },
      { datastreamId: missing, phenomenonTime: at(1003), result: 4, featureOfInterestId: foiId },
    ]);
    assert.deepEqual(
      outcomes.map((o) => o.ok),
      [true, false, true, false],
    );
    const second = outcomes[1];
    const fourth = outcomes[3];
    assert.ok(!second.ok && !fourth.ok);
    // Without a FeatureOfInterest FROST names that, not the Datastream; with one, the Datastream.
    assert.equal(second.serverMessage, 'No FeatureOfInterest provided, and none can be generated.');
    assert.equal(fourth.serverMessage, `No such entity 'Datastream' with id [${missing}]`);
    assert.equal(fourth.error.messageId, 'STA_ROW');
    assert.equal(
      fourth.error.message,
      `the observation at ${at(1003)} for Datastream ${missing} was refused: No such entity 'Datastream' with id [${missing}]`,
    );
    assert.equal(await countOf(located), before + 2);
  });

  it('stores the Observations of a Thing without a Location with its FeatureOfInterest, and says why without', async () => {
    const bare = thingSpec(`bare buoy ${tag}`, false);
    const ds = await resolver.datastreamFor(
      bare,
      datastreamSpec(`bare temperature ${tag}`, `array sensor ${tag}`, `array property ${tag}`),
    );
    const foi = await resolver.featureOfInterestFor(bare);
    assert.notEqual(foi, undefined);
    const outcomes = await createObservations(client, [
      { datastreamId: ds, phenomenonTime: at(0), result: 1 },
      { datastreamId: ds, phenomenonTime: at(1), result: 2, featureOfInterestId: foi },
    ]);
    assert.equal(outcomes[0].ok, false);
    assert.match(
      (outcomes[0] as { serverMessage: string }).serverMessage,
      /No FeatureOfInterest provided/,
    );
    assert.equal(outcomes[1].ok, true);
  });

  it('writes a +hhmm offset as +hh:mm, which FROST takes', async () => {
    assert.equal(offsetWithColon('2024-03-01T12:00:00+0100'), '2024-03-01T12:00:00+01:00');
    assert.equal(offsetWithColon('2024-03-01T12:00:00Z'), '2024-03-01T12:00:00Z');
    const [outcome] = await createObservations(client, [
      { datastreamId: located, phenomenonTime: '2024-05-01T12:00:00+0100', result: 7 },
    ]);
    assert.ok(outcome.ok);
    const obs = (await client.get(`Observations(${outcome.id})`)).body as any;
    assert.equal(Date.parse(obs.phenomenonTime), Date.parse('2024-05-01T11:00:00Z'));
  });

  it('finds rows already stored before a resend, so that a retry stores none twice', async () => {
    const rows: ObservationRow[] = [
      { datastreamId: located, phenomenonTime: at(5000), result: 1.5 },
      { datastreamId: located, phenomenonTime: at(5001), result: 'text' },
      { datastreamId: located, phenomenonTime: at(5002), result: { a: 1, b: [true] } },
      { datastreamId: located, phenomenonTime: at(5003), result: 1.5 },
      { datastreamId: located, phenomenonTime: at(5003), result: 1.5 },
    ];
    const stored = await createObservations(client, rows.slice(0, 4));
    const ids = stored.map((o) => (o.ok ? o.id : undefined));
    // The fifth equals the fourth: only one of the two is stored, so one is found.
    const found = await findObservations(client, rows);
    assert.deepEqual(found, [...ids, undefined]);
    assert.equal(await findObservation(client, located, at(5000), 1.5), ids[0]);
    assert.equal(await findObservation(client, located, at(5000), 1.25), undefined);
    assert.equal(await findObservation(client, located, at(5009), 1.5), undefined);
    const resend = rows.filter((_, i) => found[i] === undefined);
    assert.equal(resend.length, 1);
  });

  it('measures observations/s in DataArray batches of 500', async () => {
    const ds = await resolver.datastreamFor(
      thingSpec(`bench buoy ${tag}`),
      datastreamSpec(`bench temperature ${tag}`, `array sensor ${tag}`, `array property ${tag}`),
    );
    const batches = 10;
    // One warm-up batch (JIT, FROST's caches), not counted.
    const batch = (b: number): ObservationRow[] =>
      Array.from({ length: 500 }, (_, i) => ({
        datastreamId: ds,
        phenomenonTime: at(100_000 + b * 500 + i),
        result: Math.round(Math.random() * 3000) / 100,
      }));
    await createObservations(client, batch(-1));
    const load = loadavg();
    const started = process.hrtime.bigint();
    for (let b = 0; b < batches; b++) {
      const outcomes = await createObservations(client, batch(b));
      assert.ok(outcomes.every((o) => o.ok));
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rate = (batches * 500) / seconds;
    console.log(
      `      ${batches * 500} observations in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} observations/s ` +
        `(batches of 500; load average before ${load.map((l) => l.toFixed(2)).join(' ')}, after ${loadavg()
          .map((l) => l.toFixed(2))
          .join(' ')})`,
    );
    assert.equal(await countOf(ds), (batches + 1) * 500);
  });
});
