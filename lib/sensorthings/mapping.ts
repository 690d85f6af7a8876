/**
 * A resolved SenML pack as SensorThings Observations (STA 1.1, OGC 18-088): what
 * `sensorthings out` finds or creates and then stores, record by record. Pure:
 * no server, no state; the same pack and options always give the same entities
 * and keys.
 *
 * - the device part of each name is a Thing, the measurement part an
 *   ObservedProperty (see names.ts for the split);
 * - a Datastream per Thing, measurement, unit and kind of value, named after the
 *   SenML name: `urn:dev:mac:0024befffe804ff1:water_temperature (Cel)`. The unit
 *   is part of a Datastream (STA 1.1 §8.2.4): a record in another unit goes to
 *   another Datastream, never into one whose values it would falsify;
 * - the unit becomes unitOfMeasurement (units.ts); booleans, text and data
 *   have none: their Datastreams' unitOfMeasurement is null in its three members
 *   (STA 1.1 §8.2.4, "SHALL have null values"), whatever `u` says. The kind of value the
 *   observationType (STA 1.1 Table 12): v OM_Measurement (double), vb
 *   OM_TruthObservation (boolean), vs OM_Observation (any: a SenML string is
 *   free text, where OM_CategoryObservation's result is a URI; configurable),
 *   vd OM_Observation with `{ data, encoding: "base64url" }` as its result; a sum
 *   `s` goes to a Datastream of its own (`… sum (W)`, unit W.s, RFC 8428 §4.2),
 *   and a record with both v and s gives two Observations;
 * - `t` becomes phenomenonTime, ISO 8601 in UTC with milliseconds
 *   (`2020-02-12T15:15:45.787Z`); resultTime is left to the server;
 * - msg.meta becomes each Observation's parameters;
 * - a Location given in the options goes with the Thing; with none, each
 *   Observation carries a FeatureOfInterest of its own device, since a server
 *   cannot derive one from a Thing without a Location (STA 1.1 §8.2.8; FROST
 *   answers 400).
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../canonical-json';
import type { ErrorPlace } from '../errors';
import type { ResolvedPack, ResolvedRecord } from '../senml/model';
import { suggestUnit } from '../senml/units';
import { checkLocation, describe } from './location';
import { SensorThingsError } from './messages';
import type {
  DatastreamSpec,
  FeatureOfInterestSpec,
  GeoJsonGeometry,
  ObservationSpec,
  ObservationType,
  ThingSpec,
  UnitOfMeasurement,
} from './model';
import { splitName } from './names';
import { NO_UNIT, sumUnitOfMeasurement, unitOfMeasurement } from './units';

const OM = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/';
export const OM_MEASUREMENT = `${OM}OM_Measurement` as const;
export const OM_TRUTH = `${OM}OM_TruthObservation` as const;
export const OM_CATEGORY = `${OM}OM_CategoryObservation` as const;
export const OM_OBSERVATION = `${OM}OM_Observation` as const;

/**
 * The OGC definitions register's nil reason "unknown": what a SenML name says of
 * what it measures. No registry defines SenML measurement names; give
 * `definitions` or `definitionBase` for a vocabulary of your own.
 */
export const UNKNOWN_DEFINITION = 'http://www.opengis.net/def/nil/OGC/0/unknown';

/** Where a record's value comes from: SenML's value fields, and the sum. */
export type ValueKind = 'v' | 'vb' | 'vs' | 'vd' | 's';

export interface DatastreamNameParts {
  thing: string;
  measurement: string;
  /** The record's SenML unit, if any. */
  unit: string | undefined;
  kind: ValueKind;
}

export interface MappingOptions {
  /** A base name that names the device, for names that cannot be split otherwise. */
  baseName?: string;
  /** The Thing of names without ":" or "/". */
  defaultThing?: string;
  /** A GeoJSON geometry (or Feature) in lon/lat order: the Location of every Thing of the pack. */
  location?: unknown;
  /** An object: the parameters of every Observation (msg.meta). */
  meta?: unknown;
  /** 'refuse' (default): a unit outside the SenML registries is an error; 'keep': used as its own symbol. */
  unknownUnits?: 'refuse' | 'keep';
  /** The observationType of vs records: 'observation' (default, OM_Observation) or 'category'. */
  stringType?: 'observation' | 'category';
  /** The ObservedProperty definition by measurement name. */
  definitions?: Readonly<Record<string, string>>;
  /** The ObservedProperty definition of other names: this URL + the name, percent-encoded. */
  definitionBase?: string;
  /** Names the Datastreams another way; must stay unique per Thing, measurement, unit and kind. */
  datastreamName?: (parts: DatastreamNameParts) => string;
}

const OBSERVATION_TYPES: Readonly<Record<ValueKind, ObservationType>> = {
  v: OM_MEASUREMENT,
  s: OM_MEASUREMENT,
  vb: OM_TRUTH,
  vs: OM_OBSERVATION,
  vd: OM_OBSERVATION,
};

const KIND_SUFFIX: Readonly<Record<ValueKind, string>> = {
  v: '',
  s: ' sum',
  vb: ' (boolean)',
  vs: ' (text)',
  vd: ' (data)',
};

/**
 * The default Datastream name: the SenML name when the Thing is its device part,
 * `<thing> <measurement>` otherwise; then ` sum` or the kind for non-numbers, and
 * the unit in parentheses.
 */
export function defaultDatastreamName({
  thing,
  measurement,
  unit,
  kind,
}: DatastreamNameParts): string {
  const base = /[:/_]$/.test(thing) ? thing + measurement : `${thing} ${measurement}`;
  return `${base}${KIND_SUFFIX[kind]}${unit === undefined ? '' : ` (${unit})`}`;
}

/** Every record of a resolved pack as Observations, in pack order (two for a record with v and s). */
export function packToObservations(
  pack: ResolvedPack,
  options: MappingOptions = {},
): ObservationSpec[] {
  if (!Array.isArray(pack)) throw new SensorThingsError('STA_PACK', { got: describe(pack) });
  const location = options.location === undefined ? undefined : checkLocation(options.location);
  const parameters = checkMeta(options.meta);
  const things = new Map<string, ThingSpec>();
  const out: ObservationSpec[] = [];
  pack.forEach((record, index) => {
    for (const observation of recordToObservations(record, index, options, location, things))
      out.push(
        parameters === undefined ? observation : { ...observation, parameters: { ...parameters } },
      );
  });
  return out;
}

function recordToObservations(
  record: ResolvedRecord,
  index: number,
  options: MappingOptions,
  location: GeoJsonGeometry | undefined,
  things: Map<string, ThingSpec>,
): ObservationSpec[] {
  const at = (field?: string): ErrorPlace =>
    field === undefined ? { record: index } : { record: index, field };
  if (typeof record !== 'object' || record === null || Array.isArray(record))
    throw new SensorThingsError('STA_RECORD', { got: describe(record) }, { place: at() });
  if (typeof record.n !== 'string' || record.n.length === 0)
    throw new SensorThingsError('STA_NAME_MISSING', {}, { place: at('n') });
  const { thing: thingName, measurement } = splitName(record.n, options, at('n'));
  const phenomenonTime = isoTime(record.t, at('t'));
  let thing = things.get(thingName);
  if (thing === undefined) {
    thing = thingSpec(thingName, location);
    things.set(thingName, thing);
  }
  const values = recordValues(record, at);
  const numeric = values.some(({ kind }) => kind === 'v' || kind === 's');
  const unit = numeric ? recordUnit(record.u, options, at('u')) : NO_UNIT;
  return values.map(({ kind, result }) => {
    const measured = kind === 'v' || kind === 's';
    const datastream = measured
      ? datastreamSpec(thingName, measurement, record.u as string | undefined, unit, kind, options)
      : datastreamSpec(thingName, measurement, undefined, NO_UNIT, kind, options);
    const observation: ObservationSpec = {
      thing: thing!,
      datastream,
      phenomenonTime,
      result,
      key: observationKey(thingName, datastream.name, phenomenonTime, result),
      record: index,
    };
    if (location === undefined) observation.featureOfInterest = deviceFeature(thingName);
    return observation;
  });
}

function thingSpec(name: string, location: GeoJsonGeometry | undefined): ThingSpec {
  const thing: ThingSpec = { name, description: `SenML device ${name}` };
  if (location !== undefined)
    thing.location = {
      name,
      description: `Location of ${name}`,
      encodingType: 'application/geo+json',
      location: structuredClone(location),
    };
  return thing;
}

/**
 * The FeatureOfInterest of a device without a Location: the device itself, with
 * an empty geometry (RFC 7946 §3.1.8 allows a GeometryCollection without members).
 */
function deviceFeature(thing: string): FeatureOfInterestSpec {
  return {
    name: thing,
    description: `SenML device ${thing}, no location given`,
    encodingType: 'application/geo+json',
    feature: { type: 'GeometryCollection', geometries: [] },
  };
}

function datastreamSpec(
  thing: string,
  measurement: string,
  senmlUnit: string | undefined,
  unit: UnitOfMeasurement,
  kind: ValueKind,
  options: MappingOptions,
): DatastreamSpec {
  const parts = { thing, measurement, unit: senmlUnit, kind };
  const name = (options.datastreamName ?? defaultDatastreamName)(parts);
  const observationType =
    kind === 'vs' && options.stringType === 'category' ? OM_CATEGORY : OBSERVATION_TYPES[kind];
  return {
    name,
    description: `${kind === 's' ? 'Sum of ' : ''}${measurement} of ${thing}`,
    observationType,
    unitOfMeasurement: kind === 's' ? sumUnitOfMeasurement(unit) : { ...unit },
    sensor: {
      name: thing,
      description: `SenML device ${thing}`,
      encodingType: 'text/html',
      metadata: 'https://www.rfc-editor.org/rfc/rfc8428',
    },
    observedProperty: {
      name: measurement,
      definition: definitionOf(measurement, options),
      description: `${measurement}, as SenML names it`,
    },
  };
}

function definitionOf(measurement: string, options: MappingOptions): string {
  const own = options.definitions?.[measurement];
  if (own !== undefined) return own;
  if (options.definitionBase !== undefined)
    return options.definitionBase + encodeURIComponent(measurement);
  return UNKNOWN_DEFINITION;
}

function recordUnit(u: unknown, options: MappingOptions, place: ErrorPlace): UnitOfMeasurement {
  if (u === undefined) return { ...NO_UNIT };
  if (typeof u !== 'string')
    throw new SensorThingsError('STA_VALUE_STRING', { got: describe(u) }, { place });
  const known = unitOfMeasurement(u);
  if (known !== undefined) return known;
  if (options.unknownUnits === 'keep') return { name: u, symbol: u, definition: null };
  const suggestion = suggestUnit(u);
  if (suggestion !== undefined)
    throw new SensorThingsError('STA_UNIT_SUGGEST', { unit: u, suggestion }, { place });
  throw new SensorThingsError('STA_UNIT_UNKNOWN', { unit: u }, { place });
}

type Result = ObservationSpec['result'];

function recordValues(
  record: ResolvedRecord,
  at: (field?: string) => ErrorPlace,
): { kind: ValueKind; result: Result }[] {
  const values: { kind: ValueKind; result: Result }[] = [];
  const number = (field: 'v' | 's', value: unknown): number => {
    if (typeof value !== 'number')
      throw new SensorThingsError(
        'STA_VALUE_NUMBER',
        { got: describe(value) },
        { place: at(field) },
      );
    if (!Number.isFinite(value))
      throw new SensorThingsError(
        'STA_VALUE_NOT_FINITE',
        { got: String(value) },
        { place: at(field) },
      );
    return value;
  };
  const text = (field: 'vs' | 'vd', value: unknown): string => {
    if (typeof value !== 'string')
      throw new SensorThingsError(
        'STA_VALUE_STRING',
        { got: describe(value) },
        { place: at(field) },
      );
    return value;
  };
  if (record.v !== undefined) values.push({ kind: 'v', result: number('v', record.v) });
  if (record.vb !== undefined) {
    if (typeof record.vb !== 'boolean')
      throw new SensorThingsError(
        'STA_VALUE_BOOLEAN',
        { got: describe(record.vb) },
        { place: at('vb') },
      );
    values.push({ kind: 'vb', result: record.vb });
  }
  if (record.vs !== undefined) values.push({ kind: 'vs', result: text('vs', record.vs) });
  if (record.vd !== undefined)
    values.push({ kind: 'vd', result: { data: text('vd', record.vd), encoding: 'base64url' } });
  if (record.s !== undefined) values.push({ kind: 's', result: number('s', record.s) });
  if (values.length === 0) throw new SensorThingsError('STA_VALUE_MISSING', {}, { place: at() });
  return values;
}

/** The earliest and latest times ISO 8601 writes with a four-digit year, in ms. */
const FIRST_MS = new Date('0000-01-01T00:00:00.000Z').getTime();
const LAST_MS = new Date('9999-12-31T23:59:59.999Z').getTime();

/**
 * A SenML time (seconds since the epoch, RFC 8428 §4.5.3, fractions allowed) as
 * STA's phenomenonTime: ISO 8601 in UTC with milliseconds, rounded to the
 * nearest millisecond. `Z` is the offset FROST takes (it refuses `+0000`).
 */
export function isoTime(t: unknown, place?: ErrorPlace): string {
  if (typeof t !== 'number')
    throw new SensorThingsError('STA_VALUE_NUMBER', { got: describe(t) }, { place });
  const ms = Math.round(t * 1000);
  if (!Number.isFinite(ms) || ms < FIRST_MS || ms > LAST_MS)
    throw new SensorThingsError('STA_TIME', { t: String(t) }, { place });
  return new Date(ms).toISOString();
}

function checkMeta(meta: unknown): Record<string, unknown> | undefined {
  if (meta === undefined || meta === null) return undefined;
  if (typeof meta !== 'object' || Array.isArray(meta))
    throw new SensorThingsError('STA_META', { got: describe(meta) });
  return structuredClone(meta as Record<string, unknown>);
}

/**
 * A key stable across resends: the SHA-256 of the canonical JSON of the Thing,
 * the Datastream, the time and the result, in hex (64 characters, safe in any
 * $filter). The same record always gives the same key; two records differing
 * in any of the four never share one.
 */
export function observationKey(
  thing: string,
  datastream: string,
  phenomenonTime: string,
  result: Result,
): string {
  const text = canonicalJson([thing, datastream, phenomenonTime, result], () => {
    throw new SensorThingsError('STA_VALUE_NOT_FINITE', { got: describe(result) });
  });
  return createHash('sha256').update(text).digest('hex');
}
