/**
 * lib/sensorthings/find-or-create.ts against the real FROST-Server: entities created
 * once, found again, never twice, even from two resolvers ("two Node-RED instances",
 * each with its own cache and locks) racing on the same Things. Names are unique per
 * run, so the shared database needs no reset.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreationLocks, EntityResolver } from '../../lib/sensorthings/find-or-create';
import { SensorThingsClient, odataString, queryString } from '../../lib/sensorthings/http';
import type { EntityId } from '../../lib/sensorthings/model';
import { type Frost, startFrost } from '../support/frost';
import { datastreamSpec, thingSpec } from './specs';

/** How many entities of a set (or below a path) have that name. */
async function count(client: SensorThingsClient, set: string, name: string): Promise<number> {
  const answer = await client.get(
    `${set}${queryString({ $filter: `name eq ${odataString(name)}`, $count: 'true', $top: 0 })}`,
  );
  return (answer.body as { '@iot.count': number })['@iot.count'];
}

describe('sensorthings find-or-create (real FROST)', function () {
  this.timeout(120_000);
  let frost: Frost;
  let client: SensorThingsClient;
  const tag = randomBytes(4).toString('hex');
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), 'senfed-sta-ids-'));
    dirs.push(d);
    return d;
  };

  before(async function () {
    this.timeout(900_000);
    frost = await startFrost();
    client = new SensorThingsClient({ serviceRoot: frost.serviceRoot });
  });

  after(() => {
    client?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it('creates Thing, Location, Sensor, ObservedProperty and Datastream on the first call, reuses them after', async () => {
    const directory = dir();
    const resolver = await EntityResolver.open({ client, directory });
    const thing = thingSpec(`buoy ${tag}`);
    const ds = datastreamSpec(`sea temperature ${tag}`, `thermistor ${tag}`, `temperature ${tag}`);
    const id = await resolver.datastreamFor(thing, ds);
    assert.deepEqual(resolver.counts.created, { things: 1, datastreams: 0, featuresOfInterest: 0 });

    const stored = (
      await client.get(
        `Datastreams(${id})?$expand=Thing($expand=Locations),Sensor,ObservedProperty`,
      )
    ).body as any;
    assert.equal(stored.name, ds.name);
    assert.deepEqual(stored.unitOfMeasurement, ds.unitOfMeasurement);
    assert.equal(stored.Thing.name, thing.name);
    assert.equal(stored.Thing.Locations.length, 1);
    assert.deepEqual(stored.Thing.Locations[0].location.coordinates, [-149.61, -17.53]);
    assert.equal(stored.Sensor.name, ds.sensor.name);
    assert.equal(stored.ObservedProperty.name, ds.observedProperty.name);

    // Again, and a second Datastream of the same Thing sharing the Sensor: only that Datastream is made.
    assert.equal(await resolver.datastreamFor(thing, ds), id);
    const salinity = datastreamSpec(`salinity ${tag}`, `thermistor ${tag}`, `salinity ${tag}`);
    const id2 = await resolver.datastreamFor(thing, salinity);
    assert.notEqual(id2, id);
    // A second Thing with the same Sensor and ObservedProperty: they are linked, not made again.
    const other = thingSpec(`buoy 2 ${tag}`);
    const id3 = await resolver.datastreamFor(other, ds);
    await resolver.close();

    assert.equal(await count(client, 'Things', thing.name), 1);
    assert.equal(await count(client, 'Things', other.name), 1);
    assert.equal(await count(client, 'Locations', `mooring of ${thing.name}`), 1);
    assert.equal(await count(client, 'Sensors', ds.sensor.name), 1);
    assert.equal(await count(client, 'ObservedProperties', ds.observedProperty.name), 1);
    assert.equal(await count(client, 'ObservedProperties', salinity.observedProperty.name), 1);
    assert.equal(await count(client, 'Datastreams', ds.name), 2, 'one per Thing');
    const third = (await client.get(`Datastreams(${id3})?$expand=Sensor`)).body as any;
    assert.equal(third.Sensor['@iot.id'], stored.Sensor['@iot.id']);

    // A new resolver on the same folder (a restart) asks the server nothing.
    const file = resolver.file as string;
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const restarted = await EntityResolver.open({ client, directory });
    assert.equal(await restarted.datastreamFor(thing, ds), id);
    assert.equal(await restarted.datastreamFor(thing, salinity), id2);
    assert.equal(restarted.counts.lookups, 0);
    assert.match(readFileSync(file, 'utf8'), /senfed-sensorthings-ids\/1/);
  });

  it('makes no duplicate Thing or Datastream from 200 concurrent calls of two resolvers for 5 Things', async () => {
    // Two "Node-RED instances": separate caches and separate locks, one server.
    const a = await EntityResolver.open({ client, directory: dir(), locks: new CreationLocks() });
    const b = await EntityResolver.open({ client, directory: dir(), locks: new CreationLocks() });
    const things = [0, 1, 2, 3, 4].map((i) => thingSpec(`race ${i} ${tag}`, i !== 4));
    const streams = [
      datastreamSpec(`water temperature ${tag}`, `race sensor ${tag}`, `race temperature ${tag}`),
      datastreamSpec(`air temperature ${tag}`, `race sensor ${tag}`, `race air ${tag}`),
    ];
    const calls = Array.from({ length: 200 }, (_, i) => ({
      resolver: i % 2 === 0 ? a : b,
      thing: things[Math.floor(i / 2) % 5],
      ds: streams[Math.floor(i / 10) % 2],
    }));
    const started = Date.now();
    const ids = await Promise.all(calls.map((c) => c.resolver.datastreamFor(c.thing, c.ds)));
    const elapsed = Date.now() - started;

    const byPair = new Map<string, Set<EntityId>>();
    calls.forEach((c, i) => {
      const key = `${c.thing.name}|${c.ds.name}`;
      byPair.set(key, (byPair.get(key) ?? new Set()).add(ids[i]));
    });
    assert.equal(byPair.size, 10);
    for (const [key, set] of byPair) assert.equal(set.size, 1, `${key}: ${[...set].join(', ')}`);

    for (const thing of things) {
      assert.equal(await count(client, 'Things', thing.name), 1, thing.name);
      const found = (
        await client.get(
          `Things?$filter=${encodeURIComponent(`name eq ${odataString(thing.name)}`)}&$expand=Datastreams($select=id,name)`,
        )
      ).body as any;
      const names = (found.value[0].Datastreams as { name: string }[]).map((d) => d.name).sort();
      assert.deepEqual(names, streams.map((s) => s.name).sort(), thing.name);
    }
    assert.equal(await count(client, 'Sensors', `race sensor ${tag}`), 1);
    assert.equal(await count(client, 'ObservedProperties', `race temperature ${tag}`), 1);
    assert.equal(await count(client, 'ObservedProperties', `race air ${tag}`), 1);
    const created = a.counts.created.things + b.counts.created.things;
    const deleted = a.counts.duplicatesDeleted + b.counts.duplicatesDeleted;
    console.log(
      `      200 calls in ${elapsed} ms; Things created ${created} (${deleted} racing copies of Things or Datastreams deleted), Datastreams created besides ${a.counts.created.datastreams + b.counts.created.datastreams}`,
    );
    assert.deepEqual([...a.warnings, ...b.warnings], []);
    await Promise.all([a.close(), b.close()]);
  });

  it('settles a race between two resolvers creating one Thing with different new Datastreams, Sensors and ObservedProperties', async function () {
    this.timeout(30_000);
    const a = await EntityResolver.open({ client, locks: new CreationLocks() });
    const b = await EntityResolver.open({ client, locks: new CreationLocks() });
    const thing = thingSpec(`crossed ${tag}`);
    const dsA = datastreamSpec(`crossed a ${tag}`, `crossed sensor a ${tag}`, `crossed a ${tag}`);
    const dsB = datastreamSpec(`crossed b ${tag}`, `crossed sensor b ${tag}`, `crossed b ${tag}`);
    const [idA, idB] = await Promise.all([
      a.datastreamFor(thing, dsA),
      b.datastreamFor(thing, dsB),
    ]);
    assert.equal(await count(client, 'Things', thing.name), 1);
    const stored = (
      await client.get(
        `Things?$filter=${encodeURIComponent(`name eq ${odataString(thing.name)}`)}&$expand=Datastreams($select=id)`,
      )
    ).body as any;
    assert.deepEqual(
      (stored.value[0].Datastreams as { '@iot.id': EntityId }[]).map((d) => d['@iot.id']).sort(),
      [idA, idB].sort(),
    );
    for (const name of [dsA.sensor.name, dsB.sensor.name])
      assert.equal(await count(client, 'Sensors', name), 1, name);
    for (const name of [dsA.observedProperty.name, dsB.observedProperty.name])
      assert.equal(await count(client, 'ObservedProperties', name), 1, name);
  });

  it("round-trips names with ', Unicode, spaces, & and #", async () => {
    const resolver = await EntityResolver.open({ client });
    const name = `l'île d'Ouessant — Ré #1 & "co" ${tag} 東京 🌊`;
    const thing = thingSpec(name);
    const ds = datastreamSpec(
      `temp'érature #1 & co ${tag}`,
      `capteur d'O₂ ${tag}`,
      `oxygène ${tag}`,
    );
    const id = await resolver.datastreamFor(thing, ds);
    const stored = (await client.get(`Datastreams(${id})?$expand=Thing,Sensor,ObservedProperty`))
      .body as any;
    assert.equal(stored.Thing.name, name);
    assert.equal(stored.name, ds.name);
    assert.equal(stored.Sensor.name, ds.sensor.name);
    assert.equal(stored.ObservedProperty.name, ds.observedProperty.name);
    // Found again by a fresh resolver (no cache): the $filter quoting finds it.
    const fresh = await EntityResolver.open({ client });
    assert.equal(await fresh.datastreamFor(thing, ds), id);
    assert.deepEqual(fresh.counts.created, { things: 0, datastreams: 0, featuresOfInterest: 0 });
    assert.equal(await count(client, 'Things', name), 1);
  });

  it('drops a cached id the server no longer knows and resolves again', async () => {
    const directory = dir();
    const resolver = await EntityResolver.open({ client, directory });
    const thing = thingSpec(`deleted ${tag}`);
    const ds = datastreamSpec(`gone ${tag}`, `thermistor ${tag}`, `temperature ${tag}`);
    const first = await resolver.datastreamFor(thing, ds);
    const thingId = ((await client.get(`Datastreams(${first})/Thing`)).body as any)['@iot.id'];
    await client.delete(`Things(${thingId})`);

    // Unchecked, the cache answers; checked, the 404 makes it look again and create anew.
    assert.equal(await resolver.datastreamFor(thing, ds), first);
    const second = await resolver.datastreamFor(thing, ds, { check: true });
    assert.notEqual(second, first);
    assert.equal(await count(client, 'Things', thing.name), 1);

    // A new Datastream for a cached Thing that was deleted: FROST's "No such entity" makes it look again.
    const restarted = await EntityResolver.open({ client, directory });
    const thingId2 = ((await client.get(`Datastreams(${second})/Thing`)).body as any)['@iot.id'];
    await client.delete(`Things(${thingId2})`);
    const other = datastreamSpec(`other ${tag}`, `thermistor ${tag}`, `temperature ${tag}`);
    const third = await restarted.datastreamFor(thing, other);
    const stored = (await client.get(`Datastreams(${third})?$expand=Thing`)).body as any;
    assert.equal(stored.Thing.name, thing.name);
    assert.equal(await count(client, 'Things', thing.name), 1);
  });

  it('gives one FeatureOfInterest per Thing without a Location, none for a Thing with one', async () => {
    const a = await EntityResolver.open({ client, locks: new CreationLocks() });
    const b = await EntityResolver.open({ client, locks: new CreationLocks() });
    const bare = thingSpec(`no location ${tag}`, false);
    const ids = await Promise.all([
      ...Array.from({ length: 5 }, () => a.featureOfInterestFor(bare)),
      ...Array.from({ length: 5 }, () => b.featureOfInterestFor(bare)),
    ]);
    assert.equal(new Set(ids).size, 1);
    assert.equal(await count(client, 'FeaturesOfInterest', bare.name), 1);
    assert.equal(await a.featureOfInterestFor(thingSpec(`located ${tag}`)), undefined);
  });

  it('resolves all the same when the cache cannot be written, and says so once', async () => {
    const blocker = join(dir(), 'not-a-folder');
    const resolver = await EntityResolver.open({ client, directory: blocker });
    writeFileSync(blocker, ''); // after the open: a file where the cache's folder goes
    const thing = thingSpec(`buoy ${tag}`);
    const ds = datastreamSpec(`sea temperature ${tag}`, `thermistor ${tag}`, `temperature ${tag}`);
    const other = datastreamSpec(`salinity ${tag}`, `thermistor ${tag}`, `salinity ${tag}`);
    const id = await resolver.datastreamFor(thing, ds);
    assert.notEqual(await resolver.datastreamFor(thing, other), id);
    assert.deepEqual(
      resolver.warnings.map((w) => w.messageId),
      ['STA_CACHE_WRITE'],
    );
  });

  it('sets aside a cache file it cannot read, and says so', async () => {
    const directory = dir();
    const first = await EntityResolver.open({ client, directory });
    writeFileSync(first.file as string, '{"format":"senfed-sensorthings-ids/1","things":');
    const resolver = await EntityResolver.open({ client, directory });
    assert.equal(resolver.warnings.length, 1);
    assert.equal(resolver.warnings[0].messageId, 'STA_CACHE_SET_ASIDE');
    const thing = thingSpec(`buoy ${tag}`);
    const ds = datastreamSpec(`sea temperature ${tag}`, `thermistor ${tag}`, `temperature ${tag}`);
    await resolver.datastreamFor(thing, ds);
    assert.equal(resolver.counts.created.things, 0, 'found on the server again');
  });
});
