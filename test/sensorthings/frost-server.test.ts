/**
 * The real FROST-Server the SensorThings nodes are tested against (scripts/sensorthings/frost.sh):
 * what it answers to what the nodes will send, checked here once so that the nodes can rely on it.
 * No mock, no skip: a FROST that cannot start fails this suite with the script's reason.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { type Frost, frost, frostRunning, startFrost } from '../support/frost';

const DATA_ARRAY = 'http://www.opengis.net/spec/iot_sensing/1.1/req/data-array/data-array';
const BATCH = 'http://www.opengis.net/spec/iot_sensing/1.1/req/batch-request/batch-request';
const OM_MEASUREMENT = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement';

interface Answer {
  status: number;
  location: string | null;
  text: string;
}

async function request(url: string, init: RequestInit = {}): Promise<Answer> {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers ?? {}) },
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, location: res.headers.get('location'), text: await res.text() };
}

async function getJson(url: string): Promise<any> {
  const answer = await request(url);
  assert.equal(answer.status, 200, `GET ${url}: ${answer.status} ${answer.text}`);
  return JSON.parse(answer.text);
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  return request(url, { method: 'POST', body: JSON.stringify(body), headers });
}

/** The id at the end of an entity URL such as …/Things(42). */
function idOf(url: string, entitySet: string): number {
  const match = new RegExp(`/${entitySet}\\((\\d+)\\)$`).exec(url);
  assert.ok(match, `${url} is not a ${entitySet} URL`);
  return Number(match[1]);
}

describe('FROST-Server (real, scripts/sensorthings/frost.sh)', function () {
  this.timeout(60_000);
  let server: Frost;
  const tag = randomBytes(4).toString('hex');
  let thingId: number;
  let datastreamId: number;
  let observationUrl: string;

  before(async function () {
    this.timeout(900_000);
    server = await startFrost();
  });

  it('lists its entity sets and the DataArray and batch extensions at the service root', async () => {
    assert.match(server.serviceRoot, /^http:\/\/127\.0\.0\.1:\d+\/FROST-Server\/v1\.1$/);
    assert.match(server.mqttUrl, /^mqtt:\/\/127\.0\.0\.1:\d+$/);
    const root = await getJson(server.serviceRoot);
    const names = (root.value as { name: string; url: string }[]).map((v) => v.name).sort();
    assert.deepEqual(names, [
      'Datastreams',
      'FeaturesOfInterest',
      'HistoricalLocations',
      'Locations',
      'Observations',
      'ObservedProperties',
      'Sensors',
      'Things',
    ]);
    for (const v of root.value as { name: string; url: string }[]) {
      assert.equal(v.url, `${server.serviceRoot}/${v.name}`);
    }
    const conformance: string[] = root.serverSettings.conformance;
    assert.ok(conformance.includes(DATA_ARRAY), 'DataArray extension listed');
    assert.ok(conformance.includes(BATCH), 'batch requests listed');
  });

  it('answers a deep insert with 201, a Location header and an empty body, even when asked for the representation', async () => {
    const thing = {
      name: `buoy ${tag}`,
      description: 'ReefTEMPS-like test buoy',
      properties: { test: tag },
      Locations: [
        {
          name: `mooring ${tag}`,
          description: 'test mooring',
          encodingType: 'application/geo+json',
          location: { type: 'Point', coordinates: [-149.61, -17.53] },
        },
      ],
      Datastreams: [
        {
          name: `sea temperature ${tag}`,
          description: 'water temperature at 1 m',
          observationType: OM_MEASUREMENT,
          unitOfMeasurement: {
            name: 'degree Celsius',
            symbol: 'Cel',
            definition: 'http://unitsofmeasure.org/ucum.html#para-30',
          },
          Sensor: {
            name: `thermistor ${tag}`,
            description: 'NTC thermistor',
            encodingType: 'text/plain',
            metadata: 'none',
          },
          ObservedProperty: {
            name: `temperature ${tag}`,
            definition: 'urn:dev:test:temperature',
            description: 'sea water temperature',
          },
        },
      ],
    };
    const answer = await post(`${server.serviceRoot}/Things`, thing, {
      prefer: 'return=representation',
    });
    assert.equal(answer.status, 201, answer.text);
    assert.equal(answer.text, '', 'deep insert answers with an empty body');
    assert.ok(answer.location, 'a Location header');
    thingId = idOf(answer.location, 'Things');
    assert.equal(answer.location, `${server.serviceRoot}/Things(${thingId})`);

    // The nested entities are found by querying from the id in the header.
    const stored = await getJson(
      `${server.serviceRoot}/Things(${thingId})?$expand=Locations,Datastreams($expand=Sensor,ObservedProperty)`,
    );
    assert.equal(stored.name, `buoy ${tag}`);
    assert.equal(stored.Locations.length, 1);
    assert.deepEqual(stored.Locations[0].location.coordinates, [-149.61, -17.53]);
    assert.equal(stored.Datastreams.length, 1);
    const ds = stored.Datastreams[0];
    assert.equal(ds.unitOfMeasurement.symbol, 'Cel');
    assert.equal(ds.Sensor.name, `thermistor ${tag}`);
    assert.equal(ds.ObservedProperty.name, `temperature ${tag}`);
    datastreamId = ds['@iot.id'];
    assert.equal(typeof datastreamId, 'number');
  });

  it('answers a CreateObservations batch with 201 even when a row fails: that row is an "error" string', async () => {
    assert.ok(datastreamId, 'needs the Datastream of the deep insert');
    // A Datastream id that does not exist: far above any the server has given.
    const missing = datastreamId + 1_000_000;
    const components = ['phenomenonTime', 'result'];
    const answer = await post(`${server.serviceRoot}/CreateObservations`, [
      {
        Datastream: { '@iot.id': datastreamId },
        components,
        dataArray: [['2024-03-01T12:00:00+01:00', 27.25]],
      },
      {
        Datastream: { '@iot.id': missing },
        components,
        dataArray: [['2024-03-01T12:00:00+01:00', 1]],
      },
    ]);
    assert.equal(answer.status, 201, answer.text);
    const rows = JSON.parse(answer.text);
    assert.ok(Array.isArray(rows), `an array: ${answer.text}`);
    assert.equal(rows.length, 2, answer.text);
    assert.equal(typeof rows[0], 'string');
    idOf(rows[0], 'Observations');
    observationUrl = rows[0];
    assert.equal(typeof rows[1], 'string');
    // FROST 2.4.2 gives "error No FeatureOfInterest provided, and none can be generated." here:
    // the reason names the FeatureOfInterest, not the missing Datastream, so only "error" is relied on.
    assert.match(rows[1], /^error/i, 'the row for the missing Datastream is an error string');

    const observation = await getJson(`${observationUrl}?$expand=FeatureOfInterest`);
    assert.equal(observation.result, 27.25);
    assert.equal(Date.parse(observation.phenomenonTime), Date.parse('2024-03-01T11:00:00Z'));
    // No FeatureOfInterest was sent: FROST made one from the Thing's Location.
    assert.deepEqual(observation.FeatureOfInterest.feature.coordinates, [-149.61, -17.53]);
    const none = await getJson(`${server.serviceRoot}/Datastreams(${datastreamId})/Observations`);
    assert.equal(none.value.length, 1, 'only the good row was stored');
  });

  it('answers no more once stopped, and comes back by start with its data', async function () {
    this.timeout(600_000);
    assert.ok(observationUrl, 'needs the observation of the DataArray test');
    await frost('stop');
    assert.equal(await frostRunning(), false, 'status says it is stopped');
    await assert.rejects(
      fetch(server.serviceRoot, { signal: AbortSignal.timeout(5_000) }),
      (err: Error & { cause?: { code?: string } }) => {
        assert.equal(err.cause?.code, 'ECONNREFUSED', String(err.cause ?? err));
        return true;
      },
    );

    const output = await frost('start');
    assert.match(output, /service root: http:\/\/127\.0\.0\.1:\d+\/FROST-Server\/v1\.1/);
    assert.equal(await frostRunning(), true);
    const thing = await getJson(`${server.serviceRoot}/Things(${thingId})?$expand=Datastreams`);
    assert.equal(thing.name, `buoy ${tag}`);
    assert.equal(thing.Datastreams[0]['@iot.id'], datastreamId);
    const observation = await getJson(observationUrl);
    assert.equal(observation.result, 27.25);
  });
});
