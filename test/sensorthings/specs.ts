/** Thing and Datastream specs for the SensorThings tests, unique by the names given. */
import type { DatastreamSpec, ThingSpec } from '../../lib/sensorthings/model';

const OM_MEASUREMENT = 'http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement';

export function thingSpec(name: string, withLocation = true): ThingSpec {
  return {
    name,
    description: `test buoy ${name}`,
    properties: { test: true },
    ...(withLocation
      ? {
          location: {
            name: `mooring of ${name}`,
            description: 'test mooring',
            encodingType: 'application/geo+json' as const,
            location: { type: 'Point', coordinates: [-149.61, -17.53] },
          },
        }
      : {}),
  };
}

export function datastreamSpec(name: string, sensor: string, property: string): DatastreamSpec {
  return {
    name,
    description: `${name} at 1 m`,
    observationType: OM_MEASUREMENT,
    unitOfMeasurement: {
      name: 'degree Celsius',
      symbol: 'Cel',
      definition: 'http://unitsofmeasure.org/ucum.html#para-30',
    },
    sensor: { name: sensor, description: 'NTC', encodingType: 'text/plain', metadata: 'none' },
    observedProperty: { name: property, definition: `urn:test:${property}`, description: property },
  };
}
