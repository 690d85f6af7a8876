/**
 * OData literals and `$filter` expressions as SensorThings queries take them
 * (STA 1.1 §9.3.3.5, on the OData 4.0 URL conventions): a string literal is
 * enclosed in single quotes, a quote inside it doubled (OData 4.0 ABNF,
 * `SQUOTE-in-string = SQUOTE SQUOTE`); numbers and booleans are bare; a date
 * and time is a bare ISO 8601 string. The query as a whole is percent-encoded
 * (RFC 3986): spaces, `%`, `&`, `#`, `+` and every non-ASCII character, so
 * that a name reaches the server exactly as it was written.
 */
import type { EntityId } from './model';
import { describe } from './location';
import { SensorThingsError } from './messages';

/** A string as an OData literal: `O'Brien` → `'O''Brien'`. */
export function quoteString(value: string): string {
  return `'${value.replace(/'/g, "''")}'`;
}

/** An entity id as a literal: a number as it is, a string quoted. */
export function idLiteral(id: EntityId): string {
  if (typeof id === 'number') {
    if (!Number.isSafeInteger(id))
      throw new SensorThingsError('STA_ODATA_ID', { got: describe(id) });
    return String(id);
  }
  if (typeof id === 'string') return quoteString(id);
  throw new SensorThingsError('STA_ODATA_ID', { got: describe(id) });
}

/** A path segment naming one entity: `Things(42)`, `Things('abc')`. */
export function entityPath(entitySet: string, id: EntityId): string {
  return `${entitySet}(${percentEncode(idLiteral(id))})`;
}

/** An ISO 8601 time as a $filter literal (bare, as STA writes it). */
export function timeLiteral(iso: string): string {
  return iso;
}

/** `name eq '…'`: Things, Sensors, ObservedProperties, FeaturesOfInterest by name. */
export function filterByName(name: string): string {
  return `name eq ${quoteString(name)}`;
}

/** The Datastream of a Thing by name, when querying /Datastreams. */
export function filterThingDatastream(thingId: EntityId, name: string): string {
  return `Thing/@iot.id eq ${idLiteral(thingId)} and name eq ${quoteString(name)}`;
}

/** The Locations of a Thing by name, when querying /Locations. */
export function filterThingLocation(thingId: EntityId, name: string): string {
  return `Things/@iot.id eq ${idLiteral(thingId)} and name eq ${quoteString(name)}`;
}

/** An Observation of a Datastream by a string parameter (the resend key, for one). */
export function filterByParameter(
  datastreamId: EntityId,
  parameter: string,
  value: string,
): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(parameter))
    throw new SensorThingsError('STA_ODATA_PROPERTY', { property: parameter });
  return `Datastream/@iot.id eq ${idLiteral(datastreamId)} and parameters/${parameter} eq ${quoteString(value)}`;
}

/** Observations of one time, when querying a Datastream's Observations. */
export function filterAtTime(phenomenonTime: string): string {
  return `phenomenonTime eq ${timeLiteral(phenomenonTime)}`;
}

/**
 * Observations after a point already read, in (phenomenonTime, id) order: what
 * polling resumes from, without repeats even when several share one time.
 */
export function filterAfter(phenomenonTime: string, id: EntityId): string {
  const t = timeLiteral(phenomenonTime);
  return `phenomenonTime gt ${t} or (phenomenonTime eq ${t} and @iot.id gt ${idLiteral(id)})`;
}

/**
 * A query string (`?$filter=…&$top=1`), every value percent-encoded: what goes
 * after an entity set's URL. Option names (`$filter`, `$top`…) are kept as written.
 */
export function queryString(
  options: Readonly<Record<string, string | number | undefined>>,
): string {
  const parts = Object.entries(options)
    .filter((entry): entry is [string, string | number] => entry[1] !== undefined)
    .map(([name, value]) => `${name}=${percentEncode(String(value))}`);
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

/** RFC 3986 percent-encoding of everything but the unreserved characters (A-Z a-z 0-9 - . _ ~), UTF-8. */
export function percentEncode(text: string): string {
  return encodeURIComponent(text).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}
