/**
 * The SenML → SensorThings mapping as a user sees it on the server: which Things,
 * Datastreams, units, types and times a pack becomes, and the errors bad input gets.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  OM_CATEGORY,
  OM_MEASUREMENT,
  OM_OBSERVATION,
  OM_TRUTH,
  UNKNOWN_DEFINITION,
  isoTime,
  packToObservations,
} from '../../../lib/sensorthings/mapping';
import { SensorThingsError } from '../../../lib/sensorthings/messages';
import { splitName } from '../../../lib/sensorthings/names';
import type { ResolvedPack } from '../../../lib/senml/model';

const BUOY = 'urn:dev:mac:0024befffe804ff1:';
/** The ReefTEMPS buoy sketch's reading (examples/arduino/buoy), resolved, with the time lora uplink gives. */
const BUOY_PACK: ResolvedPack = [
  { n: `${BUOY}water_temperature`, u: 'Cel', v: 24.24, t: 1581520545.787 },
  { n: `${BUOY}battery`, u: 'V', v: 3.71, t: 1581520545.787 },
];
const NOUMEA = { type: 'Point', coordinates: [166.4572, -22.2758] };

function throwsMessage(
  fn: () => unknown,
  messageId: string,
  params: Record<string, unknown> = {},
): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof SensorThingsError, `not a SensorThingsError: ${String(err)}`);
    assert.equal(err.messageId, messageId, err.message);
    for (const [k, v] of Object.entries(params))
      assert.equal(err.params[k], v, `${k}: ${err.message}`);
    return true;
  });
}

describe('sensorthings mapping: the ReefTEMPS buoy', () => {
  const [temperature, battery] = packToObservations(BUOY_PACK, { location: NOUMEA });

  it('is one Thing named by its device URN, with its Location in lon/lat order', () => {
    assert.equal(temperature.thing.name, BUOY);
    assert.equal(battery.thing, temperature.thing);
    assert.deepEqual(temperature.thing.location, {
      name: BUOY,
      description: `Location of ${BUOY}`,
      encodingType: 'application/geo+json',
      location: NOUMEA,
    });
    assert.equal(
      temperature.featureOfInterest,
      undefined,
      'the server derives it from the Location',
    );
  });

  it('gives a Datastream per measurement, named after the SenML name and unit', () => {
    assert.equal(temperature.datastream.name, `${BUOY}water_temperature (Cel)`);
    assert.equal(battery.datastream.name, `${BUOY}battery (V)`);
    assert.equal(temperature.datastream.observedProperty.name, 'water_temperature');
    assert.equal(temperature.datastream.observedProperty.definition, UNKNOWN_DEFINITION);
    assert.equal(temperature.datastream.observationType, OM_MEASUREMENT);
    assert.equal(temperature.datastream.sensor.name, BUOY);
  });

  it('gives units with their UCUM symbols and the SenML registry as definition', () => {
    assert.deepEqual(temperature.datastream.unitOfMeasurement, {
      name: 'degree Celsius',
      symbol: 'Cel',
      definition: 'https://www.iana.org/assignments/senml/senml.xhtml#senml-units',
    });
    assert.deepEqual(battery.datastream.unitOfMeasurement.symbol, 'V');
  });

  it('gives times in ISO 8601 UTC with milliseconds, and the values as they were', () => {
    assert.equal(temperature.phenomenonTime, '2020-02-12T15:15:45.787Z');
    assert.equal(temperature.result, 24.24);
    assert.equal(battery.result, 3.71);
    assert.deepEqual([temperature.record, battery.record], [0, 1]);
  });

  it('gives each reading a stable key of its own', () => {
    const again = packToObservations(structuredClone(BUOY_PACK), { location: NOUMEA });
    assert.equal(again[0].key, temperature.key);
    assert.match(temperature.key, /^[0-9a-f]{64}$/);
    assert.notEqual(temperature.key, battery.key);
    const later = packToObservations([{ ...BUOY_PACK[0], t: BUOY_PACK[0].t + 10 }]);
    assert.notEqual(later[0].key, temperature.key);
  });

  it('without a location, gives each Observation its device as FeatureOfInterest', () => {
    const [observation] = packToObservations(BUOY_PACK);
    assert.equal(observation.thing.location, undefined);
    assert.deepEqual(observation.featureOfInterest, {
      name: BUOY,
      description: `SenML device ${BUOY}, no location given`,
      encodingType: 'application/geo+json',
      feature: { type: 'GeometryCollection', geometries: [] },
    });
  });

  it('takes msg.meta as the parameters of every Observation', () => {
    const meta = { source: 'reeftemps', purpose: 'research' };
    const observations = packToObservations(BUOY_PACK, { meta });
    assert.deepEqual(
      observations.map((o) => o.parameters),
      [meta, meta],
    );
    observations[0].parameters!.source = 'changed';
    assert.equal(observations[1].parameters!.source, 'reeftemps');
    assert.equal(meta.source, 'reeftemps');
  });
});

describe('sensorthings mapping: kinds of value', () => {
  const t = 1700000000;
  it('vb is an OM_TruthObservation without a unit', () => {
    const [o] = packToObservations([{ n: `${BUOY}door`, vb: false, t }]);
    assert.equal(o.datastream.observationType, OM_TRUTH);
    assert.equal(o.result, false);
    assert.equal(o.datastream.name, `${BUOY}door (boolean)`);
    assert.deepEqual(o.datastream.unitOfMeasurement, {
      name: null,
      symbol: null,
      definition: null,
    });
  });

  it('vs is an OM_Observation (STA Table 12: a category result is a URI), or OM_CategoryObservation when asked', () => {
    const pack = [{ n: `${BUOY}error`, vs: 'no_probe', t }];
    const [o] = packToObservations(pack);
    assert.equal(o.datastream.observationType, OM_OBSERVATION);
    assert.equal(o.result, 'no_probe');
    assert.equal(o.datastream.name, `${BUOY}error (text)`);
    assert.equal(
      packToObservations(pack, { stringType: 'category' })[0].datastream.observationType,
      OM_CATEGORY,
    );
  });

  it('vd is an OM_Observation whose result says its encoding', () => {
    const [o] = packToObservations([{ n: `${BUOY}frame`, vd: 'AQID', t }]);
    assert.equal(o.datastream.observationType, OM_OBSERVATION);
    assert.deepEqual(o.result, { data: 'AQID', encoding: 'base64url' });
  });

  it('a unit on a boolean or a string does not make a Datastream of its own, nor an error', () => {
    const [o] = packToObservations([{ n: `${BUOY}door`, vb: true, u: 'nonsense', t }]);
    assert.equal(o.datastream.name, `${BUOY}door (boolean)`);
    assert.equal(o.datastream.unitOfMeasurement.symbol, null);
  });

  it('a sum goes to a Datastream of its own, in the unit times seconds (RFC 8428 §4.2)', () => {
    const [o] = packToObservations([{ n: `${BUOY}power`, u: 'W', s: 7200, t }]);
    assert.equal(o.datastream.name, `${BUOY}power sum (W)`);
    assert.equal(o.datastream.observationType, OM_MEASUREMENT);
    assert.deepEqual(o.datastream.unitOfMeasurement, {
      name: 'watt second',
      symbol: 'W.s',
      definition: 'https://www.rfc-editor.org/rfc/rfc8428#section-4.2',
    });
    assert.equal(o.datastream.observedProperty.name, 'power');
  });

  it('a record with a value and a sum gives two Observations, in two Datastreams', () => {
    const observations = packToObservations([{ n: `${BUOY}power`, u: 'W', v: 12, s: 7200, t }]);
    assert.deepEqual(
      observations.map((o) => [o.datastream.name, o.result, o.record]),
      [
        [`${BUOY}power (W)`, 12, 0],
        [`${BUOY}power sum (W)`, 7200, 0],
      ],
    );
    assert.notEqual(observations[0].key, observations[1].key);
  });

  it('the same measurement in another unit goes to another Datastream', () => {
    const observations = packToObservations([
      { n: `${BUOY}battery`, u: 'V', v: 3.71, t },
      { n: `${BUOY}battery`, u: 'mV', v: 3712, t },
      { n: `${BUOY}battery`, v: 3.7, t },
    ]);
    const names = observations.map((o) => o.datastream.name);
    assert.deepEqual(names, [`${BUOY}battery (V)`, `${BUOY}battery (mV)`, `${BUOY}battery`]);
    assert.deepEqual(
      observations.map((o) => o.datastream.unitOfMeasurement.symbol),
      ['V', 'mV', null],
    );
    assert.deepEqual(
      observations.map((o) => o.datastream.observedProperty.name),
      ['battery', 'battery', 'battery'],
    );
  });

  it('a unit outside the registries is refused with a suggestion, or kept when asked', () => {
    throwsMessage(
      () => packToObservations([{ n: `${BUOY}t`, u: 'degC', v: 1, t }]),
      'STA_UNIT_SUGGEST',
      {
        unit: 'degC',
        suggestion: 'Cel',
        record: 0,
        field: 'u',
      },
    );
    throwsMessage(
      () => packToObservations([{ n: `${BUOY}t`, u: 'furlong', v: 1, t }]),
      'STA_UNIT_UNKNOWN',
    );
    const [o] = packToObservations([{ n: `${BUOY}t`, u: 'furlong', v: 1, t }], {
      unknownUnits: 'keep',
    });
    assert.deepEqual(o.datastream.unitOfMeasurement, {
      name: 'furlong',
      symbol: 'furlong',
      definition: null,
    });
  });

  it('the ObservedProperty definition can come from a vocabulary', () => {
    const pack = [
      { n: `${BUOY}water_temperature`, u: 'Cel', v: 1, t },
      { n: `${BUOY}sea level`, u: 'm', v: 1, t },
    ];
    const nerc = 'http://vocab.nerc.ac.uk/collection/P07/current/CFSN0335/';
    const [a, b] = packToObservations(pack, {
      definitions: { water_temperature: nerc },
      definitionBase: 'https://example.org/terms/',
    });
    assert.equal(a.datastream.observedProperty.definition, nerc);
    assert.equal(b.datastream.observedProperty.definition, 'https://example.org/terms/sea%20level');
  });

  it('Datastream names can be given by a function', () => {
    const [o] = packToObservations(BUOY_PACK, {
      datastreamName: ({ thing, measurement, unit }) => `${measurement} [${unit}] @ ${thing}`,
    });
    assert.equal(o.datastream.name, `water_temperature [Cel] @ ${BUOY}`);
  });
});

describe('sensorthings mapping: names', () => {
  const cases: [string, string, string][] = [
    [
      'urn:dev:mac:0024befffe804ff1:water_temperature',
      'urn:dev:mac:0024befffe804ff1:',
      'water_temperature',
    ],
    ['urn:dev:eui64:0004a30b001c4a2f:battery', 'urn:dev:eui64:0004a30b001c4a2f:', 'battery'],
    ['urn:dev:ow:10e2073a01080063:voltage', 'urn:dev:ow:10e2073a01080063:', 'voltage'],
    ['urn:dev:ow:264437f5000000ed_humidity', 'urn:dev:ow:264437f5000000ed_', 'humidity'],
    ['urn:dev:org:32473-foo:temp:inner', 'urn:dev:org:32473-foo:', 'temp:inner'],
    ['urn:dev:mac:0024befffe804ff1/sensor/1', 'urn:dev:mac:0024befffe804ff1/', 'sensor/1'],
    ['buoy-7/water_temperature', 'buoy-7/', 'water_temperature'],
    ['site:pier:buoy-7:temp', 'site:pier:buoy-7:', 'temp'],
    ['lab/room.2/co2', 'lab/room.2/', 'co2'],
  ];
  for (const [name, thing, measurement] of cases)
    it(`${name} → Thing ${thing}, measurement ${measurement}`, () => {
      assert.deepEqual(splitName(name), { thing, measurement });
    });

  it('a configured base name is the device, even where it has no separator', () => {
    assert.deepEqual(splitName('buoy7temperature', { baseName: 'buoy7' }), {
      thing: 'buoy7',
      measurement: 'temperature',
    });
    const [o] = packToObservations([{ n: 'buoy7temperature', u: 'Cel', v: 20, t: 0 }], {
      baseName: 'buoy7',
    });
    assert.equal(o.datastream.name, 'buoy7 temperature (Cel)');
  });

  it('a name without separator needs a default Thing', () => {
    throwsMessage(() => packToObservations([{ n: 'temperature', v: 20, t: 0 }]), 'STA_NAME_SPLIT', {
      name: 'temperature',
      record: 0,
      field: 'n',
    });
    const [o] = packToObservations([{ n: 'temperature', u: 'Cel', v: 20, t: 0 }], {
      defaultThing: 'my buoy',
    });
    assert.equal(o.thing.name, 'my buoy');
    assert.equal(o.datastream.name, 'my buoy temperature (Cel)');
  });

  it('a name that is only a device is refused', () => {
    throwsMessage(() => splitName('urn:dev:mac:0024befffe804ff1:'), 'STA_NAME_NO_MEASUREMENT');
    throwsMessage(() => splitName('urn:dev:mac:0024befffe804ff1'), 'STA_NAME_NO_MEASUREMENT');
    throwsMessage(() => splitName('buoy:'), 'STA_NAME_NO_MEASUREMENT', { thing: 'buoy:' });
  });

  it('quotes, spaces and Unicode in names go through unchanged', () => {
    const n = "urn:dev:mac:0024befffe804ff1:l'eau de mer « température » 海水";
    const [o] = packToObservations([{ n, u: 'Cel', v: 20, t: 0 }], { defaultThing: 'x' });
    assert.equal(o.thing.name, BUOY);
    assert.equal(o.datastream.observedProperty.name, "l'eau de mer « température » 海水");
    assert.equal(o.datastream.name, `${n} (Cel)`);
  });

  it('property: the Thing and the measurement put together give the name back', () => {
    const part = fc.stringMatching(/^[A-Za-z0-9][-.A-Za-z0-9_]{0,12}$/);
    const name = fc
      .tuple(fc.array(part, { minLength: 1, maxLength: 4 }), fc.constantFrom(':', '/'), part)
      .map(([device, sep, measurement]) => `${device.join(sep)}${sep}${measurement}`);
    fc.assert(
      fc.property(name, (n) => {
        const { thing, measurement } = splitName(n);
        assert.equal(thing + measurement, n);
        assert.ok(measurement.length > 0);
        assert.match(thing, /[:/_]$/);
      }),
    );
  });
});

describe('sensorthings mapping: times', () => {
  it('keeps fractions of seconds to the millisecond, rounded', () => {
    assert.equal(isoTime(0), '1970-01-01T00:00:00.000Z');
    assert.equal(isoTime(1581520545.787), '2020-02-12T15:15:45.787Z');
    assert.equal(isoTime(1581520545.7874), '2020-02-12T15:15:45.787Z');
    assert.equal(isoTime(1581520545.7876), '2020-02-12T15:15:45.788Z');
    assert.equal(isoTime(-1.5), '1969-12-31T23:59:58.500Z');
  });

  it('writes the Z offset FROST takes, never +0000', () => {
    fc.assert(
      fc.property(fc.double({ min: -6e10, max: 2.5e11, noNaN: true }), (t) => {
        const iso = isoTime(t);
        assert.match(iso, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
        assert.ok(Math.abs(Date.parse(iso) - t * 1000) <= 0.5 + Math.abs(t) * 1e-12);
      }),
    );
  });

  it('refuses a time ISO 8601 cannot write with four digits, and a time that is not a number', () => {
    throwsMessage(() => isoTime(1e12), 'STA_TIME', { t: '1000000000000' });
    throwsMessage(() => isoTime(-7e10), 'STA_TIME');
    throwsMessage(() => packToObservations([{ n: `${BUOY}x`, v: 1, t: Number.NaN }]), 'STA_TIME', {
      record: 0,
      field: 't',
    });
    throwsMessage(
      () => packToObservations([{ n: `${BUOY}x`, v: 1, t: '2020' as unknown as number }]),
      'STA_VALUE_NUMBER',
    );
  });
});

describe('sensorthings mapping: bad input', () => {
  const t = 0;
  it('names the record and field of a value that is not finite or not of its kind', () => {
    throwsMessage(
      () => packToObservations([BUOY_PACK[0], { n: `${BUOY}x`, v: Number.NaN, t }]),
      'STA_VALUE_NOT_FINITE',
      {
        record: 1,
        field: 'v',
        got: 'NaN',
      },
    );
    throwsMessage(
      () => packToObservations([{ n: `${BUOY}x`, s: Infinity, t }]),
      'STA_VALUE_NOT_FINITE',
      {
        field: 's',
      },
    );
    throwsMessage(
      () => packToObservations([{ n: `${BUOY}x`, v: '3' as unknown as number, t }]),
      'STA_VALUE_NUMBER',
    );
    throwsMessage(
      () => packToObservations([{ n: `${BUOY}x`, vb: 1 as unknown as boolean, t }]),
      'STA_VALUE_BOOLEAN',
    );
    throwsMessage(
      () => packToObservations([{ n: `${BUOY}x`, vs: 3 as unknown as string, t }]),
      'STA_VALUE_STRING',
    );
    throwsMessage(() => packToObservations([{ n: `${BUOY}x`, t }]), 'STA_VALUE_MISSING', {
      record: 0,
    });
  });

  it('refuses what is not a pack, a record or a name', () => {
    throwsMessage(() => packToObservations({} as unknown as ResolvedPack), 'STA_PACK');
    throwsMessage(() => packToObservations([null] as unknown as ResolvedPack), 'STA_RECORD', {
      record: 0,
    });
    throwsMessage(
      () => packToObservations([{ v: 1, t }] as unknown as ResolvedPack),
      'STA_NAME_MISSING',
    );
    throwsMessage(() => packToObservations(BUOY_PACK, { meta: 'x' }), 'STA_META', { got: '"x"' });
  });

  it('says the record in its English message, as the nodes show it', () => {
    assert.throws(() => packToObservations([BUOY_PACK[0], { n: `${BUOY}x`, v: Number.NaN, t }]), {
      message: 'record 1, field "v": a finite number was expected, got NaN',
    });
  });

  it('an empty pack gives no Observation', () => {
    assert.deepEqual(packToObservations([]), []);
  });
});
