/**
 * The OGC SensorThings API entities SenFed writes and reads (STA 1.1, OGC 18-088),
 * as plain data: what the mapping makes of a SenML pack, what the client finds or
 * creates on a server, and what `sensorthings in` reads back.
 */

/** A GeoJSON geometry in lon/lat order (RFC 7946), as STA Locations carry it. */
export interface GeoJsonGeometry {
  type: string;
  coordinates: unknown;
}

/** STA 1.1 §8.2.3: the unit of a Datastream. */
export interface UnitOfMeasurement {
  /** Its full name ("degree Celsius"), or null when the record has no unit. */
  name: string | null;
  /** The UCUM symbol ("Cel"), or null. */
  symbol: string | null;
  /** A URL defining it (the UCUM or SenML units registry entry), or null. */
  definition: string | null;
}

/** STA 1.1 Table 12: the observation types by kind of result. */
export type ObservationType =
  | 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement'
  | 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_CategoryObservation'
  | 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_TruthObservation'
  | 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Observation';

export interface ThingSpec {
  /** The device part of the SenML name (`urn:dev:eui64:0004a30b001c4a2f:`): found by it. */
  name: string;
  description: string;
  properties?: Record<string, unknown>;
  /** Created with the Thing when given; none otherwise. */
  location?: {
    name: string;
    description: string;
    encodingType: 'application/geo+json';
    location: GeoJsonGeometry;
  };
}

export interface SensorSpec {
  name: string;
  description: string;
  encodingType: string;
  metadata: string;
}

export interface ObservedPropertySpec {
  /** The measurement part of the SenML name (`water_temperature`): found by it. */
  name: string;
  definition: string;
  description: string;
}

export interface DatastreamSpec {
  /** Unique per Thing: found by it together with the Thing. */
  name: string;
  description: string;
  observationType: ObservationType;
  unitOfMeasurement: UnitOfMeasurement;
  sensor: SensorSpec;
  observedProperty: ObservedPropertySpec;
}

/**
 * STA 1.1 §8.2.8: what an Observation observes. A server derives it from the
 * Thing's Location when none is given, and refuses the Observation when the
 * Thing has no Location either (FROST: 400 "No FeatureOfInterest provided").
 */
export interface FeatureOfInterestSpec {
  /** Found by it. */
  name: string;
  description: string;
  encodingType: 'application/geo+json';
  /** A geometry, or a GeometryCollection (empty for a device whose place is unknown). */
  feature: GeoJsonGeometry | { type: 'GeometryCollection'; geometries: GeoJsonGeometry[] };
}

/** One SenML record as an Observation of a Datastream of a Thing. */
export interface ObservationSpec {
  thing: ThingSpec;
  datastream: DatastreamSpec;
  /** ISO 8601 (from the record's `t`). */
  phenomenonTime: string;
  result: number | string | boolean | Record<string, unknown>;
  parameters?: Record<string, unknown>;
  /** Given when the Thing has no Location (the server could not derive one); absent otherwise. */
  featureOfInterest?: FeatureOfInterestSpec;
  /** The index in the pack of the record it comes from, for errors that name it. */
  record?: number;
  /**
   * A key stable across retries (device, measurement, time, value): checked against
   * the server before a resend whose outcome was unclear, so that no Observation is
   * stored twice.
   */
  key: string;
}

/** The ids a server gave (STA ids may be numbers or strings). */
export type EntityId = number | string;
